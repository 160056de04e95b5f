/**
 * The seam between a server's topic registry and whatever orders
 * publications: the in-process backplane by default, a broker (Redis) in a
 * cluster.
 *
 * @module
 */

import type { Publication } from "./publication.ts";

/**
 * Orders publications per topic, keeps their history, and delivers them to
 * every process that follows the topic. Runtime-neutral: an implementation
 * may use a broker client, but the interface uses no runtime global.
 *
 * Contract:
 * - One order per topic: every follower, in every process, is delivered a
 *   topic's publications in the same order, each with the same offset.
 * - `publish` resolves once the publication is accepted into that order (its
 *   offset), or rejects (a `ProtocolError` with code `"PUBLISH_FAILED"`)
 *   when it cannot be accepted; it is then either not published, or (when
 *   the failure came in flight) perhaps published.
 * - Offsets are opaque strings `"epoch:position"`. The epoch changes when
 *   the backplane lost its data (a broker restarted empty; a topic's history
 *   was dropped), so an old offset is never mistaken for a new one.
 * - A follower is delivered its own process's publications too (the
 *   registry fans them out from there, in order with everyone else's).
 *
 * @example A backplane that keeps nothing and delivers in process (for tests)
 * ```ts
 * import type { Backplane, Publication } from "@omnisocket/core";
 *
 * type Delivered = Publication & { origin: string };
 *
 * class Loopback implements Backplane {
 *   #followers = new Map<string, (publication: Delivered) => void>();
 *   #position = 0;
 *   publish(topic: string, data: string | Uint8Array, origin: string): Promise<string> {
 *     const offset = `loop:${++this.#position}`;
 *     this.#followers.get(topic)?.({ topic, data, offset, origin });
 *     return Promise.resolve(offset);
 *   }
 *   follow(topic: string, deliver: (publication: Delivered) => void): Promise<void> {
 *     this.#followers.set(topic, deliver);
 *     return Promise.resolve();
 *   }
 *   unfollow(topic: string): void {
 *     this.#followers.delete(topic);
 *   }
 *   history(): Promise<null> {
 *     return Promise.resolve(null);
 *   }
 *   offset(): Promise<string> {
 *     return Promise.resolve(this.#position === 0 ? "" : `loop:${this.#position}`);
 *   }
 *   compare(a: string, b: string): number {
 *     return Number(a.slice(5)) - Number(b.slice(5));
 *   }
 *   close(): Promise<void> {
 *     return Promise.resolve();
 *   }
 * }
 * ```
 */
export interface Backplane {
  /**
   * Appends `data` to the topic's one order and resolves with its offset once
   * accepted. Rejects with a `ProtocolError` code `"PUBLISH_FAILED"` when it
   * cannot be accepted. `origin` is opaque here: it comes back, unchanged, on
   * the delivered publication.
   */
  publish(topic: string, data: string | Uint8Array, origin: string): Promise<string>;
  /**
   * From now on, delivers every publication of `topic` (from any process) to
   * `deliver`, in the topic's order; resolves once following (a publication
   * accepted after that is delivered). One follower per topic per backplane:
   * the registry follows a topic while it has local subscribers. Delivery may
   * be synchronous inside `publish` (the in-process backplane) or later. The
   * delivered publication carries the `origin` given to `publish`, unchanged
   * (the registry tells its own publications by it and skips the sender).
   */
  follow(
    topic: string,
    deliver: (publication: Publication & { readonly origin: string }) => void,
  ): Promise<void>;
  /** Stops delivering `topic`; nothing of it is delivered after this returns. */
  unfollow(topic: string): void;
  /**
   * Every held publication of `topic` after offset `since`, in order, when
   * ALL of them are still held (possibly none: `since` is the latest); null
   * when some are not (trimmed), or `since` is unknown (not an offset of this
   * topic, or of another epoch).
   */
  history(topic: string, since: string): Promise<Publication[] | null>;
  /** The offset of the topic's latest publication, "" when it has none (or none is known). */
  offset(topic: string): Promise<string>;
  /**
   * Orders two offsets of one topic and epoch: negative when `a` comes first,
   * 0 when equal, positive when `a` comes after (used to merge a replay with
   * live publications without gap or duplicate).
   */
  compare(a: string, b: string): number;
  /**
   * Optional: like `publish`, unless a publication with the same `key` was
   * accepted within the last `window` ms, by any process sharing this
   * backplane: then nothing is published and it resolves with that
   * publication's offset and `duplicate: true`. Backplanes whose every
   * publisher is one process (in-process, a Durable Object's) need not
   * implement it (the topics protocol remembers ids per process); the Redis
   * backplane keeps one key per id, with that expiry, set by its publish script.
   */
  publishOnce?(
    topic: string,
    data: string | Uint8Array,
    origin: string,
    key: string,
    window: number,
  ): Promise<{ offset: string; duplicate: boolean }>;
  /** Releases the backplane's resources (broker connections); further publishes reject. */
  close(): Promise<void>;
}
