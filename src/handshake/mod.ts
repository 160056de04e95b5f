/**
 * The RFC 6455 opening handshake: parse an HTTP/1.1 head from bytes, validate
 * an upgrade request (from bytes or a Web `Request`), negotiate subprotocol and
 * extensions, compute `Sec-WebSocket-Accept`, build the 101 or a rejection,
 * and the client side of the same exchange. Pure functions over Web APIs.
 *
 * @example Answering an upgrade request received as bytes
 * ```ts
 * import {
 *   acceptUpgrade,
 *   buildRejection,
 *   buildSwitchingProtocols,
 *   HttpHeadParser,
 *   ProtocolError,
 *   type RequestHead,
 * } from "@omnisocket/core";
 *
 * const parser = new HttpHeadParser({ kind: "request" });
 * const head = parser.push(new TextEncoder().encode(
 *   "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n" +
 *     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
 *     "Sec-WebSocket-Version: 13\r\n\r\n",
 * )) as RequestHead;
 * let reply: Uint8Array;
 * try {
 *   reply = buildSwitchingProtocols(await acceptUpgrade(head));
 * } catch (error) {
 *   if (!(error instanceof ProtocolError)) throw error;
 *   reply = buildRejection(error);
 * }
 * console.log(new TextDecoder().decode(reply).split("\r\n")[0]); // "HTTP/1.1 101 Switching Protocols"
 * ```
 *
 * @module
 */

// Re-exported so this module documents and works on its own; the root re-exports the same binding.
export * from "../errors/protocol_error.ts";
export * from "./header_map.ts";
export * from "./http_head_parser.ts";
export * from "./request_head_bytes.ts";
export * from "./validate_upgrade_request.ts";
export * from "./upgrade_request_from_request.ts";
export * from "./compute_accept_key.ts";
export * from "./parse_token_list.ts";
export * from "./parse_extensions.ts";
export * from "./negotiate_permessage_deflate.ts";
export * from "./select_subprotocol.ts";
export * from "./accept_upgrade.ts";
export * from "./build_responses.ts";
export * from "./client_handshake.ts";
export type { HeaderFields } from "./header_pairs.ts";
