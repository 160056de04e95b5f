/**
 * The sans-I/O layer, for building on omnisocket's protocol without its
 * servers: the RFC 6455 opening handshake (server and client side), the frame
 * codec, and the connection state machine. Nothing here touches a socket, a
 * timer or a runtime global: feed it bytes, get events and bytes to write, on
 * any transport (`node:net`, `Deno.Conn`, `Bun.listen`, `connect()` in a
 * worker).
 *
 * Three parts:
 * - handshake: {@linkcode HttpHeadParser} reads a request or response head from
 *   bytes; {@linkcode validateUpgradeRequest} and {@linkcode acceptUpgrade}
 *   check an upgrade request and negotiate it; {@linkcode computeAcceptKey},
 *   {@linkcode buildSwitchingProtocols}, {@linkcode buildRejection} and
 *   {@linkcode rejectionResponse} answer it; {@linkcode createClientHandshake}
 *   is the client side.
 * - frames: {@linkcode FrameDecoder} (incremental, any chunking),
 *   {@linkcode FrameEncoder}, {@linkcode applyMask}, {@linkcode Opcode},
 *   {@linkcode isValidCloseCode}.
 * - connection: {@linkcode WebSocketConnection}, bytes in and events out,
 *   `send()` in and bytes out, with fragmentation, control frames, the close
 *   handshake, limits and the {@linkcode Extension} seam.
 *
 * Failures are {@linkcode ProtocolError}s carrying the HTTP status (handshake)
 * or close code (frames) to answer with.
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
 * } from "@omnisocket/core/protocol";
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
 * @example An echo connection: bytes in, bytes out
 * ```ts
 * import { WebSocketConnection } from "@omnisocket/core/protocol";
 *
 * const connection = new WebSocketConnection({
 *   onMessage: (data) => connection.send(data),
 *   onClose: (code) => console.log("closed", code),
 * }, { role: "server" });
 * // A masked text frame "Hello" from a client (RFC 6455 §5.7):
 * connection.receive(
 *   new Uint8Array([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]),
 * );
 * console.log(connection.takeOutput()); // [Uint8Array [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]]
 * ```
 *
 * @example Decoding frames as they arrive
 * ```ts
 * import { FrameDecoder } from "@omnisocket/core/protocol";
 *
 * const decoder = new FrameDecoder({ role: "client" });
 * decoder.feed(new Uint8Array([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]));
 * while (decoder.next() !== FrameDecoder.NEED_MORE) {
 *   // FRAME_START, then PAYLOAD with decoder.payload = the bytes of "Hello"
 * }
 * ```
 *
 * @module
 */

export { ProtocolError, type ProtocolErrorOptions } from "./src/errors/protocol_error.ts";
export type { ErrorCode } from "./src/errors/error_code.ts";
export type { HeaderFields } from "./src/handshake/header_pairs.ts";

// Handshake
export {
  HttpHeadParser,
  type HttpHeadParserOptions,
  type RequestHead,
  type ResponseHead,
} from "./src/handshake/http_head_parser.ts";
export { type HeaderLookup, HeaderMap } from "./src/handshake/header_map.ts";
export type { ExtensionOffer } from "./src/handshake/parse_extensions.ts";
export {
  type UpgradeRequest,
  validateUpgradeRequest,
} from "./src/handshake/validate_upgrade_request.ts";
export { computeAcceptKey } from "./src/handshake/compute_accept_key.ts";
export {
  acceptUpgrade,
  type HandshakeAcceptance,
  type HandshakeOptions,
} from "./src/handshake/accept_upgrade.ts";
export {
  buildRejection,
  buildSwitchingProtocols,
  rejectionResponse,
} from "./src/handshake/build_responses.ts";
export {
  type ClientHandshake,
  type ClientHandshakeOptions,
  createClientHandshake,
} from "./src/handshake/client_handshake.ts";

// Frames
export {
  FrameDecoder,
  type FrameDecoderEvent,
  type FrameDecoderOptions,
} from "./src/frame/frame_decoder.ts";
export { FrameEncoder, type FrameEncoderOptions } from "./src/frame/frame_encoder.ts";
export { applyMask } from "./src/frame/apply_mask.ts";
export { type MaskKeySource } from "./src/frame/mask_key_pool.ts";
export { Opcode } from "./src/frame/opcode.ts";
export { isValidCloseCode } from "./src/frame/is_valid_close_code.ts";

// Connection
export { WebSocketConnection } from "./src/protocol/websocket_connection.ts";
export type { ConnectionListener } from "./src/protocol/connection_listener.ts";
export type { ConnectionOptions } from "./src/protocol/connection_options.ts";
export type { Extension } from "./src/protocol/extension.ts";
export {
  PerMessageDeflate,
  type PerMessageDeflateSettings,
} from "./src/protocol/per_message_deflate.ts";
export type {
  DeflateCallOptions,
  DeflateCodec,
  InflateCallOptions,
} from "./src/protocol/deflate_codec.ts";
export {
  type DeflateAgreement,
  deflateAgreementOf,
  type DeflateNegotiation,
  type DeflatePolicy,
  negotiatePerMessageDeflate,
} from "./src/handshake/negotiate_permessage_deflate.ts";
