/**
 * What a `WebSocketConnection` reports to the code driving it.
 *
 * @module
 */

import type { ProtocolError } from "../errors/protocol_error.ts";

/**
 * Receives the events of a `WebSocketConnection`, synchronously,
 * from inside `receive()` (or later, in order, while an async extension
 * decodes a message).
 *
 * @example
 * ```ts
 * import type { ConnectionListener } from "@omnisocket/core/protocol";
 *
 * const listener: ConnectionListener = {
 *   onMessage: (data) => console.log(typeof data === "string" ? data : data.length),
 *   onClose: (code, reason, wasClean) => console.log(code, reason, wasClean),
 * };
 * ```
 */
export interface ConnectionListener {
  /**
   * A complete message: text as a string, binary as bytes. The bytes belong
   * to the receiver: the engine never reads, changes or reuses them afterwards.
   */
  onMessage(data: string | Uint8Array): void;
  /** A ping arrived (already answered when `autoPong` is on). */
  onPing?(payload: Uint8Array): void;
  /** A pong arrived, solicited or not. */
  onPong?(payload: Uint8Array): void;
  /**
   * The connection is finished from the protocol's point of view; called
   * exactly once. `wasClean` is true when the close handshake completed
   * (`code` is the peer's, 1005 when its close frame had no code) and false
   * when the connection failed (`code` is the one we sent).
   */
  onClose(code: number, reason: string, wasClean: boolean): void;
  /** A protocol failure was detected; called right before `onClose`. */
  onError?(error: ProtocolError): void;
}
