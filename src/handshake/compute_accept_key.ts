/**
 * The Sec-WebSocket-Accept computation of RFC 6455 §4.2.2.
 *
 * @module
 */

import { encodeBase64 } from "./base64.ts";

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * Computes `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64 of the
 * SHA-1 of the key followed by the RFC 6455 GUID. Uses `crypto.subtle`, hence
 * async. The key is used as given; validate it first.
 *
 * @example The RFC 6455 sample key
 * ```ts
 * import { computeAcceptKey } from "@omnisocket/core/protocol";
 *
 * console.log(await computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ==")); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 */
export async function computeAcceptKey(key: string): Promise<string> {
  const input = new TextEncoder().encode(key + WEBSOCKET_GUID);
  const digest = await crypto.subtle.digest("SHA-1", input);
  return encodeBase64(new Uint8Array(digest));
}
