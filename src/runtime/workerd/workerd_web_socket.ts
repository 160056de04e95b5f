/**
 * workerd glue shared by the Worker adapter (cloudflare.ts) and the Durable
 * Object adapter (cloudflare_durable_object.ts): the same socket reads, 426
 * answer and `WebSocketPair` lookup for both.
 *
 * @module
 */

/**
 * Bytes workerd has not yet written. Older workerd builds have no
 * bufferedAmount on a server socket: nothing is known queued then.
 *
 * @internal Not exported by any entry point.
 */
export function bufferedAmountOf(socket: { readonly bufferedAmount?: number }): number {
  const amount = socket.bufferedAmount;
  return typeof amount === "number" ? amount : 0;
}

/**
 * The answer to a plain request when no `fetch` handles it.
 *
 * @internal Not exported by any entry point.
 */
export function upgradeRequired(): Response {
  return new Response("Cannot serve: this endpoint only accepts WebSocket upgrades\n", {
    status: 426,
    headers: { "Content-Type": "text/plain; charset=utf-8", Upgrade: "websocket" },
  });
}

/**
 * workerd's `WebSocketPair`, or a clear error naming `adapter` elsewhere.
 *
 * @internal Not exported by any entry point.
 */
export function webSocketPair<Pair>(adapter: string): new () => Pair {
  const pair = (globalThis as { WebSocketPair?: new () => Pair }).WebSocketPair;
  if (!pair) {
    throw new Error(
      `Cannot upgrade: this runtime has no WebSocketPair; ${adapter} runs on workerd`,
    );
  }
  return pair;
}
