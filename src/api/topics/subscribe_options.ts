/**
 * What `peer.subscribe()` takes and answers.
 *
 * @module
 */

/**
 * How a subscription is answered by {@linkcode SubscribeOptions.onReady} and
 * the promise `peer.subscribe()` returns.
 *
 * @example
 * ```ts
 * import type { SubscribeResult } from "@omnisocket/core";
 *
 * const result: SubscribeResult = { recovered: true, offset: "k3x:42" };
 * console.log(result.recovered ? "nothing missed" : "history gap");
 * ```
 */
export interface SubscribeResult {
  /**
   * True when `since` was given and every publication after it was still
   * held: they are written first, in order, then live ones, with no gap and
   * no duplicate. False otherwise (no `since`, an unknown offset, another
   * epoch, history trimmed, or a repeated subscribe): only live ones follow.
   */
  readonly recovered: boolean;
  /**
   * The topic's position when the subscription went live: the offset of the
   * last publication written before live ones (replayed or not), "" when the
   * topic has none yet.
   */
  readonly offset: string;
}

/**
 * Options of `peer.subscribe(topic, options)`.
 *
 * @example Answer a subscription before any of its messages
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const handler: Handler = {
 *   async open(peer) {
 *     await peer.subscribe("news", {
 *       onReady: ({ recovered }) => peer.send(JSON.stringify({ subscribed: "news", recovered })),
 *     });
 *   },
 * };
 * ```
 */
export interface SubscribeOptions {
  /**
   * An offset received earlier (a publication's `offset`): the publications
   * after it are written first when all are still held (all or nothing).
   */
  since?: string;
  /**
   * Runs synchronously right before the first publication of this
   * subscription can be written to the peer: what it `peer.send()`s goes out
   * before them. Runs again when the topic is subscribed again.
   */
  onReady?(result: SubscribeResult): void;
}
