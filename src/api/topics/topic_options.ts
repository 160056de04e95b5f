/**
 * The `topics` server option: limits, history and the backplane.
 *
 * @module
 */

import type { Backplane } from "./backplane.ts";
import type { Publication } from "./publication.ts";

/**
 * Options of a server's topics (`ServerOptions.topics`). Every limit has a
 * default safe on the open internet.
 *
 * @example A chat that keeps the last 1000 messages of each room
 * ```ts
 * import type { TopicOptions } from "@omnisocket/core";
 *
 * const topics: TopicOptions = {
 *   history: 1000,
 *   format: (p) => JSON.stringify({ topic: p.topic, offset: p.offset }),
 * };
 * console.log(topics.history);
 * ```
 */
export interface TopicOptions {
  /**
   * Publications kept per topic by the in-process backplane, for
   * `subscribe(topic, { since })`. Default 0 (none: `since` never recovers).
   * Ignored when `backplane` is given (it has its own).
   */
  history?: number;
  /**
   * Topics whose history the in-process backplane keeps at most; past it the
   * history of the topic published to least recently is dropped (its epoch
   * changes). Default 10 000.
   */
  maxHistoryTopics?: number;
  /** Topics one peer may subscribe to at once; more reject with `TOO_MANY_TOPICS`. Default 100. */
  maxTopicsPerPeer?: number;
  /** Longest topic name, in UTF-8 bytes; longer (or empty) reject with `INVALID_TOPIC`. Default 256. */
  maxTopicLength?: number;
  /**
   * Builds the message written to subscribers, once per publication per
   * process (a string goes out as text, bytes as binary). Default: the
   * published data as it is.
   */
  format?: (publication: Publication) => string | Uint8Array;
  /** Orders and carries publications. Default: a new in-process backplane per server. */
  backplane?: Backplane;
}

/** {@linkcode TopicOptions} with every default filled in (`backplane` stays optional). */
export type ResolvedTopicOptions =
  & Required<Omit<TopicOptions, "format" | "backplane">>
  & Pick<TopicOptions, "format" | "backplane">;

/** The defaults of {@linkcode TopicOptions}. */
export const DEFAULT_TOPIC_OPTIONS: ResolvedTopicOptions = Object.freeze({
  history: 0,
  maxHistoryTopics: 10_000,
  maxTopicsPerPeer: 100,
  maxTopicLength: 256,
});

/**
 * Fills in the defaults of {@linkcode TopicOptions} and rejects nonsense with
 * a clear error at start-up.
 *
 * @example
 * ```ts ignore
 * import { resolveTopicOptions } from "./topic_options.ts";
 *
 * console.log(resolveTopicOptions({ history: 10 }).maxTopicsPerPeer); // 100
 * ```
 */
export function resolveTopicOptions(options: TopicOptions = {}): ResolvedTopicOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot create server: topics must be an object");
  }
  const resolved: ResolvedTopicOptions = { ...DEFAULT_TOPIC_OPTIONS };
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_TOPIC_OPTIONS) && name !== "format" && name !== "backplane") {
      throw new TypeError(`Cannot create server: unknown topics option "${name}"`);
    }
    // deno-lint-ignore no-explicit-any
    (resolved as any)[name] = value;
  }
  for (
    const name of ["history", "maxHistoryTopics", "maxTopicsPerPeer", "maxTopicLength"] as const
  ) {
    const value = resolved[name];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new RangeError(
        `Cannot create server: topics.${name} must be an integer >= 0, got ${value}`,
      );
    }
  }
  if (resolved.maxTopicLength < 1) {
    throw new RangeError("Cannot create server: topics.maxTopicLength must be at least 1");
  }
  if (resolved.format !== undefined && typeof resolved.format !== "function") {
    throw new TypeError("Cannot create server: topics.format must be a function");
  }
  const backplane = resolved.backplane;
  if (
    backplane !== undefined &&
    (typeof backplane !== "object" || backplane === null || typeof backplane.publish !== "function")
  ) {
    throw new TypeError("Cannot create server: topics.backplane must implement Backplane");
  }
  return resolved;
}
