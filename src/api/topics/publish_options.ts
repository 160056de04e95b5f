/**
 * What `publish()` takes and answers, on a Peer and on a server.
 *
 * @module
 */

/**
 * Options of `peer.publish()` and `server.publish()`.
 *
 * @example A chat message the sender sees too
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const handler: Handler = {
 *   async message(peer, message) {
 *     await peer.publish("room", message.text(), { self: true });
 *   },
 * };
 * ```
 */
export interface PublishOptions {
  /**
   * `peer.publish()` only: also write to the publishing peer when it is
   * subscribed. Default false (the sender is skipped).
   */
  self?: boolean;
  /**
   * Whether subscribers that negotiated compression get it compressed.
   * Default true where compression is negotiated; ignored otherwise.
   */
  compress?: boolean;
  /**
   * Publish at most once per key within `idempotencyWindow` ms, across every
   * process of a backplane that implements `publishOnce` (Redis); a repeat is
   * not published and resolves with the first one's offset (`delivered` 0).
   * Elsewhere ignored here (one process: the caller remembers keys).
   */
  idempotencyKey?: string;
  /** How long `idempotencyKey` is remembered, in ms. Default 120 000. */
  idempotencyWindow?: number;
}

/**
 * What happened to a publication, as `publish()` resolves it.
 *
 * @example
 * ```ts
 * import type { PublishResult } from "@omnisocket/core";
 *
 * const report = (result: PublishResult) =>
 *   `${result.offset}: ${result.delivered} written, ${result.overflowed} closed with 1008`;
 * console.log(report({ offset: "k3x:7", delivered: 3, overflowed: 0 }));
 * ```
 */
export interface PublishResult {
  /** The publication's offset in its topic ("epoch:position"). */
  readonly offset: string;
  /** Subscribers in this process it was written to (0 for a topic nobody here subscribes to). */
  readonly delivered: number;
  /**
   * Subscribers in this process closed with 1008 instead, because their
   * queue passed `maxBufferedAmount` (the others were not held back).
   */
  readonly overflowed: number;
}
