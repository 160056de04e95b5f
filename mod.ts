/**
 * omnisocket: one WebSocket server library for every JavaScript runtime.
 *
 * The core speaks RFC 6455 with Web APIs only, so the same code runs on Deno,
 * Bun, Node and edge runtimes.
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
