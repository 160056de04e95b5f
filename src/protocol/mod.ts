/**
 * The sans-I/O WebSocket protocol engine: connection state machine,
 * fragmentation, control frames, close handshake, limits and the extension
 * seam.
 *
 * @example
 * ```ts
 * import { WebSocketConnection } from "@omnisocket/core";
 *
 * const connection = new WebSocketConnection({
 *   onMessage: (data) => connection.send(data),
 *   onClose: () => {},
 * }, { role: "server" });
 * ```
 *
 * @module
 */

export * from "./connection_listener.ts";
export * from "./connection_options.ts";
export * from "./extension.ts";
export * from "./websocket_connection.ts";
export * from "./deflate_codec.ts";
export * from "./per_message_deflate.ts";
