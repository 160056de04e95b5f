/**
 * The closed catalogue of {@linkcode ProtocolError} codes: every code
 * omnisocket throws or reports, in one place. README "Errors" lists the same
 * codes (a unit test compares them).
 *
 * @module
 */

/**
 * Every `code` a {@linkcode ProtocolError} can carry.
 *
 * @example Switching on a code
 * ```ts
 * import type { ErrorCode } from "@omnisocket/core";
 *
 * function isHandshakeTimeout(code: ErrorCode): boolean {
 *   return code === "HANDSHAKE_TIMEOUT";
 * }
 * console.log(isHandshakeTimeout("HANDSHAKE_TIMEOUT")); // true
 * ```
 */
export type ErrorCode =
  | "ABORTED"
  | "ASYNC_ENCODE_UNSUPPORTED"
  | "BACKPLANE_UNAVAILABLE"
  | "BARE_LF"
  | "CLOSE_REASON_TOO_LONG"
  | "CONNECTION_CLOSED"
  | "CONNECTION_LOST"
  | "CONTROL_FRAME_TOO_LONG"
  | "DEFLATE_FAILED"
  | "DUPLICATE_HOST"
  | "DUPLICATE_KEY"
  | "EXTENSION_FAILED"
  | "FRAGMENTED_CONTROL_FRAME"
  | "FRAGMENT_BUDGET_EXCEEDED"
  | "FRAME_TOO_LARGE"
  | "HANDSHAKE_TIMEOUT"
  | "HEAD_ALREADY_PARSED"
  | "HEAD_TOO_LARGE"
  | "HTTP_VERSION_NOT_SUPPORTED"
  | "INTERNAL_ERROR"
  | "INVALID_ACCEPT"
  | "INVALID_CLOSE_CODE"
  | "INVALID_CLOSE_PAYLOAD"
  | "INVALID_CLOSE_REASON"
  | "INVALID_COMPRESSED_DATA"
  | "INVALID_CONNECTION"
  | "INVALID_EXTENSIONS"
  | "INVALID_EXTENSION_RESPONSE"
  | "INVALID_FRAME_LENGTH"
  | "INVALID_HEADER"
  | "INVALID_HEADER_NAME"
  | "INVALID_HEADER_VALUE"
  | "INVALID_HTTP_VERSION"
  | "INVALID_KEY"
  | "INVALID_METHOD"
  | "INVALID_PROXY"
  | "INVALID_REQUEST_LINE"
  | "INVALID_RESPONSE"
  | "INVALID_STATUS_LINE"
  | "INVALID_SUBPROTOCOL"
  | "INVALID_TARGET"
  | "INVALID_TOKEN_LIST"
  | "INVALID_TOPIC"
  | "INVALID_UPGRADE"
  | "INVALID_URL"
  | "INVALID_UTF8"
  | "LINE_TOO_LONG"
  | "MASKED_FRAME"
  | "MESSAGE_INTERRUPTED"
  | "MESSAGE_TOO_LARGE"
  | "METHOD_NOT_ALLOWED"
  | "MISSING_COLON"
  | "MISSING_HOST"
  | "MISSING_KEY"
  | "OBS_FOLD"
  | "ORIGIN_REFUSED"
  | "PEER_DATA_NOT_SAVED"
  | "PEER_NOT_OPEN"
  | "PROXY_REFUSED"
  | "PUBLISH_FAILED"
  | "RESERVED_BITS"
  | "RESERVED_OPCODE"
  | "SUBSCRIBE_FAILED"
  | "TOO_MANY_HEADERS"
  | "TOO_MANY_TOPICS"
  | "UNEXPECTED_CONTINUATION"
  | "UNEXPECTED_STATUS"
  | "UNMASKED_FRAME"
  | "UNOFFERED_EXTENSION"
  | "UNOFFERED_SUBPROTOCOL"
  | "UNSUPPORTED_HTTP_VERSION"
  | "UNSUPPORTED_ON_RUNTIME"
  | "UNSUPPORTED_VERSION"
  | "UPGRADE_HOOK_FAILED"
  | "WHITESPACE_BEFORE_COLON";

/**
 * Each code's answer (HTTP status, close code, or "—" when it is only thrown
 * or reported) and meaning, as README "Errors" lists them.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const ERROR_CODES: Readonly<Record<ErrorCode, { answer: string; meaning: string }>> = {
  ABORTED: {
    answer: "—",
    meaning: "client: closed, or its signal aborted, before the connection opened",
  },
  ASYNC_ENCODE_UNSUPPORTED: {
    answer: "—",
    meaning:
      "an extension's encoder returned a promise where only synchronous encoding is possible",
  },
  BACKPLANE_UNAVAILABLE: { answer: "—", meaning: "the backplane cannot be reached (Redis)" },
  BARE_LF: {
    answer: "400",
    meaning: "a line of the request head ends in a bare LF instead of CRLF",
  },
  CLOSE_REASON_TOO_LONG: {
    answer: "—",
    meaning: "a close reason to send is longer than 123 bytes of UTF-8",
  },
  CONNECTION_CLOSED: {
    answer: "—",
    meaning:
      "client: the server closed TCP before answering the handshake, or a send after the close",
  },
  CONNECTION_LOST: {
    answer: "1006",
    meaning: "client (WebSocketStream): the connection ended without a close frame",
  },
  CONTROL_FRAME_TOO_LONG: {
    answer: "1002",
    meaning: "a control frame (ping, pong, close) is longer than 125 bytes, received or to send",
  },
  DEFLATE_FAILED: { answer: "1011", meaning: "the compressor failed" },
  DUPLICATE_HOST: { answer: "400", meaning: "the request has two Host fields" },
  DUPLICATE_KEY: { answer: "400", meaning: "the request has two Sec-WebSocket-Key fields" },
  EXTENSION_FAILED: { answer: "1011", meaning: "an extension failed on a received message" },
  FRAGMENTED_CONTROL_FRAME: { answer: "1002", meaning: "a control frame arrived without FIN" },
  FRAGMENT_BUDGET_EXCEEDED: {
    answer: "1009",
    meaning: "a message arrived in more fragments than its budget allows",
  },
  FRAME_TOO_LARGE: { answer: "1009", meaning: "a frame is larger than the message size limit" },
  HANDSHAKE_TIMEOUT: {
    answer: "408",
    meaning:
      "the request head did not arrive within handshakeTimeout (client: no answer to the handshake in time)",
  },
  HEAD_ALREADY_PARSED: {
    answer: "500",
    meaning: "an HTTP head parser was fed after its head was complete (a bug of the caller)",
  },
  HEAD_TOO_LARGE: { answer: "431", meaning: "the request head exceeds its size limit" },
  HTTP_VERSION_NOT_SUPPORTED: {
    answer: "505",
    meaning: "the request line names an HTTP major version other than 1",
  },
  INTERNAL_ERROR: {
    answer: "500 / 1011",
    meaning: "an unexpected failure inside omnisocket or a listener",
  },
  INVALID_ACCEPT: {
    answer: "—",
    meaning: "client: the server's Sec-WebSocket-Accept does not match the key",
  },
  INVALID_CLOSE_CODE: {
    answer: "1002",
    meaning: "a close code is not valid on the wire (received, or passed to close())",
  },
  INVALID_CLOSE_PAYLOAD: { answer: "1002", meaning: "a close frame has a 1-byte payload" },
  INVALID_CLOSE_REASON: { answer: "1007", meaning: "a close reason is not valid UTF-8" },
  INVALID_COMPRESSED_DATA: { answer: "1007", meaning: "a compressed message does not inflate" },
  INVALID_CONNECTION: {
    answer: "400",
    meaning: "Connection does not list upgrade (server), or the 101 lacks it (client)",
  },
  INVALID_EXTENSIONS: {
    answer: "400 / 500",
    meaning:
      "Sec-WebSocket-Extensions is malformed (400), or an extension answer we would send is (500)",
  },
  INVALID_EXTENSION_RESPONSE: {
    answer: "—",
    meaning:
      "client: the server's permessage-deflate answer breaks RFC 7692 §7.1 (unknown parameter, bad value, window larger than asked)",
  },
  INVALID_FRAME_LENGTH: {
    answer: "1002",
    meaning: "a 64-bit frame length has its most significant bit set",
  },
  INVALID_HEADER: {
    answer: "500",
    meaning: "a header to send is not a valid field (a hook's extra header, a bad name or value)",
  },
  INVALID_HEADER_NAME: {
    answer: "400",
    meaning: "a header name has a character outside the token grammar",
  },
  INVALID_HEADER_VALUE: { answer: "400", meaning: "a header value has a control character" },
  INVALID_HTTP_VERSION: {
    answer: "400",
    meaning: "the HTTP version of the request line is malformed",
  },
  INVALID_KEY: { answer: "400", meaning: "Sec-WebSocket-Key is not the base64 of 16 bytes" },
  INVALID_METHOD: { answer: "400", meaning: "the request method is not a token" },
  INVALID_PROXY: { answer: "—", meaning: "client: the proxy URL is invalid or not http:" },
  INVALID_REQUEST_LINE: { answer: "400", meaning: "the request line is malformed" },
  INVALID_RESPONSE: { answer: "—", meaning: "client: the server's response head is malformed" },
  INVALID_STATUS_LINE: {
    answer: "400",
    meaning: "the status line of a response is malformed (client side)",
  },
  INVALID_SUBPROTOCOL: {
    answer: "—",
    meaning: "client: a subprotocol to offer is not a valid token",
  },
  INVALID_TARGET: {
    answer: "400",
    meaning: "the request target is empty or has forbidden characters",
  },
  INVALID_TOKEN_LIST: { answer: "400", meaning: "a comma-separated header list is malformed" },
  INVALID_TOPIC: {
    answer: "—",
    meaning: "a topic name is empty, too long, or not valid Unicode (a lone surrogate)",
  },
  INVALID_UPGRADE: {
    answer: "400",
    meaning: "Upgrade is not websocket (server), or the 101 lacks it (client)",
  },
  INVALID_URL: { answer: "—", meaning: "client: the URL is not a ws:// or wss:// URL" },
  INVALID_UTF8: { answer: "1007", meaning: "a text message is not valid UTF-8" },
  LINE_TOO_LONG: { answer: "431", meaning: "a line of the head exceeds its length limit" },
  MASKED_FRAME: { answer: "1002", meaning: "a client received a masked frame" },
  MESSAGE_INTERRUPTED: {
    answer: "1002",
    meaning: "a new data frame arrived before the fragmented message ended",
  },
  MESSAGE_TOO_LARGE: {
    answer: "1009",
    meaning: "a message (after decompression) exceeds maxMessageSize, on every runtime",
  },
  METHOD_NOT_ALLOWED: {
    answer: "405",
    meaning: "the upgrade request is not a GET (answered with Allow: GET)",
  },
  MISSING_COLON: { answer: "400", meaning: "a header line has no colon" },
  MISSING_HOST: { answer: "400", meaning: "the request has no Host field" },
  MISSING_KEY: { answer: "400", meaning: "the request has no Sec-WebSocket-Key" },
  OBS_FOLD: {
    answer: "400",
    meaning: "a header value is folded over lines (obsolete line folding)",
  },
  ORIGIN_REFUSED: {
    answer: "403",
    meaning: "the Origin is not in allowedOrigins or checkOrigin refused it",
  },
  PEER_DATA_NOT_SAVED: {
    answer: "—",
    meaning: "Durable Object: peer.data could not be stored in the socket attachment",
  },
  PEER_NOT_OPEN: { answer: "—", meaning: "subscribe/publish on a peer that is not open" },
  PROXY_REFUSED: {
    answer: "—",
    meaning: "client: the proxy answered CONNECT with a status other than 2xx",
  },
  PUBLISH_FAILED: { answer: "—", meaning: "the backplane refused or lost a publication" },
  RESERVED_BITS: {
    answer: "1002",
    meaning: "RSV bits set without an extension that owns them, or on a control frame",
  },
  RESERVED_OPCODE: { answer: "1002", meaning: "a frame has a reserved opcode" },
  SUBSCRIBE_FAILED: {
    answer: "—",
    meaning: "the backplane refused a subscription (or its history)",
  },
  TOO_MANY_HEADERS: { answer: "431", meaning: "the head has more header lines than its limit" },
  TOO_MANY_TOPICS: {
    answer: "—",
    meaning: "a peer subscribed to more topics than maxTopicsPerPeer",
  },
  UNEXPECTED_CONTINUATION: {
    answer: "1002",
    meaning: "a continuation frame arrived with no message to continue",
  },
  UNEXPECTED_STATUS: {
    answer: "—",
    meaning: "client: the server answered something other than 101",
  },
  UNMASKED_FRAME: { answer: "1002", meaning: "a server received an unmasked frame" },
  UNOFFERED_EXTENSION: {
    answer: "500",
    meaning:
      "an extension was accepted that the client did not offer (server bug; client side: the server's)",
  },
  UNOFFERED_SUBPROTOCOL: {
    answer: "500",
    meaning:
      "a subprotocol was chosen that the client did not offer (server bug; client side: the server's)",
  },
  UNSUPPORTED_HTTP_VERSION: {
    answer: "400",
    meaning: "the upgrade request is HTTP/1.0 (HTTP/1.1 or later is required)",
  },
  UNSUPPORTED_ON_RUNTIME: {
    answer: "—",
    meaning:
      "the runtime cannot do it (ping on Deno native/workerd, deflate on Deno native, topics on a plain Worker)",
  },
  UNSUPPORTED_VERSION: {
    answer: "426",
    meaning: "Sec-WebSocket-Version is not 13 (answered with Sec-WebSocket-Version: 13)",
  },
  UPGRADE_HOOK_FAILED: { answer: "500", meaning: "the upgrade hook threw or rejected" },
  WHITESPACE_BEFORE_COLON: {
    answer: "400",
    meaning: "whitespace between a header name and its colon",
  },
};
