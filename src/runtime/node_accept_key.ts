/**
 * `Sec-WebSocket-Accept` with `node:crypto`, which Node, Deno and Bun all
 * have: synchronous, where Web Crypto's `subtle.digest` answers with a
 * promise settled from another thread (a thread hop and a wake-up per
 * handshake: on Deno's engine, futex wake-ups and the promise behind
 * `acceptUpgradeNow` were the largest items of a handshake profile).
 *
 * @module
 */

import * as nodeCrypto from "node:crypto";

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// The one-shot crypto.hash (Node >= 21.7) needs no Hash object: half the cost of createHash.
const oneShotHash = (nodeCrypto as {
  hash?: (algorithm: string, data: string, encoding: "base64") => string;
}).hash;

/**
 * Computes the accept value for a `Sec-WebSocket-Key`, synchronously.
 *
 * @example
 * ```ts ignore
 * computeAcceptSync("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 *
 * @internal Not exported by any entry point; the adapters hand it to the engine.
 */
export const computeAcceptSync: (key: string) => string = typeof oneShotHash === "function"
  ? (key) => oneShotHash("sha1", key + WEBSOCKET_GUID, "base64")
  : (key) => nodeCrypto.createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
