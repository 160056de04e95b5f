/**
 * omnisocket: one WebSocket server library for every JavaScript runtime.
 *
 * The core speaks RFC 6455 with Web APIs only, so the same code runs on Deno,
 * Bun, Node and edge runtimes. Write one {@linkcode Handler}; serve it with
 * the adapter of your runtime: `@omnisocket/core/node`, `/deno`, `/bun` or
 * `/cloudflare`.
 *
 * @example One handler for every runtime
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const echo: Handler = {
 *   message(peer, message) {
 *     peer.send(message.data); // text stays text, binary stays binary
 *   },
 * };
 * ```
 *
 * @example Computing the Sec-WebSocket-Accept value
 * ```ts
 * import { computeAcceptKey } from "@omnisocket/core";
 *
 * const accept = await computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ==");
 * console.log(accept); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 *
 * @module
 */

export * from "./src/errors/protocol_error.ts";
export * from "./src/handshake/mod.ts";
export * from "./src/frame/mod.ts";
export * from "./src/protocol/mod.ts";
export * from "./src/server/raw_socket_session.ts";
export * from "./src/server/serialize_response.ts";
export * from "./src/api/decide_upgrade.ts";
export * from "./src/api/handler.ts";
export * from "./src/api/message.ts";
export * from "./src/api/negotiate_upgrade.ts";
export * from "./src/api/peer.ts";
export * from "./src/api/peer_registry.ts";
export * from "./src/api/peer_session.ts";
export * from "./src/api/server_options.ts";
export {
  type PerMessageDeflateOptions,
  type ResolvedPerMessageDeflate,
} from "./src/api/per_message_deflate_options.ts";
export * from "./src/api/web_socket_server.ts";
