/**
 * omnisocket: one WebSocket server library for every JavaScript runtime.
 *
 * The core speaks RFC 6455 with Web APIs only, so the same code runs on Deno,
 * Bun, Node and edge runtimes. Write one {@linkcode Handler}; serve it with
 * the adapter of your runtime: `@omnisocket/core/node`, `/deno`, `/bun` or
 * `/cloudflare`. Building on the sans-I/O layer (handshake, frames, the
 * connection state machine) instead? See `@omnisocket/core/protocol`.
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
 * @example Per-connection data, chosen in the upgrade hook
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const chat: Handler<{ user: string }> = {
 *   upgrade(request) {
 *     const user = new URL(request.url).searchParams.get("user");
 *     return user ? { data: { user } } : 401;
 *   },
 *   open(peer) {
 *     peer.send(`welcome, ${peer.data.user}`);
 *   },
 * };
 * ```
 *
 * @module
 */

export {
  type CloseDetails,
  type Handler,
  type UpgradeAcceptance,
  type UpgradeDecision,
  type UpgradeInfo,
} from "./src/api/handler.ts";
export { Peer } from "./src/api/peer.ts";
export { Message } from "./src/api/message.ts";
export { DEFAULT_SERVER_OPTIONS, type ServerOptions } from "./src/api/server_options.ts";
export type { PerMessageDeflateOptions } from "./src/api/per_message_deflate_options.ts";
export type { WebSocketServer } from "./src/api/web_socket_server.ts";
export { ProtocolError } from "./src/errors/protocol_error.ts";
export type { ErrorCode } from "./src/errors/error_code.ts";
export { type Backplane } from "./src/api/topics/backplane.ts";
export { type Publication } from "./src/api/topics/publication.ts";
export { type PublishOptions, type PublishResult } from "./src/api/topics/publish_options.ts";
export { type SubscribeOptions, type SubscribeResult } from "./src/api/topics/subscribe_options.ts";
export { type TopicOptions } from "./src/api/topics/topic_options.ts";
