/**
 * One message published to a topic, as subscribers and backplanes see it.
 *
 * @module
 */

/**
 * A publication: what was published to which topic, and its place in the
 * topic's one order.
 *
 * @example Embedding the offset in what subscribers receive
 * ```ts
 * import type { Publication } from "@omnisocket/core";
 *
 * const format = (publication: Publication) =>
 *   JSON.stringify({ topic: publication.topic, offset: publication.offset });
 * console.log(format({ topic: "room", data: "hi", offset: "a1:1" }));
 * ```
 */
export interface Publication {
  /** The topic it was published to. */
  readonly topic: string;
  /** What was published: a string goes out as text, bytes as binary. */
  readonly data: string | Uint8Array;
  /**
   * Its opaque offset, `"epoch:position"`: the same publication carries the
   * same offset for every subscriber. Give it back as `since` to resume
   * right after it.
   */
  readonly offset: string;
  /**
   * When the backplane accepted it, in milliseconds since the epoch, where
   * the backplane tells (Redis: its clock); the backplane lag is measured from it.
   */
  readonly time?: number;
}
