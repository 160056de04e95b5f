/**
 * The one error type omnisocket throws for handshake and protocol failures.
 *
 * Every instance carries a stable, machine-readable {@linkcode ProtocolError.code}
 * and the answer the peer should get: an HTTP status for a failed opening
 * handshake, or a WebSocket close code for a failed connection. Messages read
 * "Cannot <action>: <reason>".
 *
 * @module
 */

import type { ErrorCode } from "./error_code.ts";

/**
 * What to answer the peer with, and the underlying cause if any.
 *
 * @example A handshake refusal with a header
 * ```ts
 * import { ProtocolError, type ProtocolErrorOptions } from "@omnisocket/core/protocol";
 *
 * const options: ProtocolErrorOptions = { status: 405, headers: { Allow: "GET" } };
 * const error = new ProtocolError("METHOD_NOT_ALLOWED", "Cannot accept upgrade: use GET", options);
 * console.log(error.status); // 405
 * ```
 */
export interface ProtocolErrorOptions {
  /** HTTP status to answer a failed opening handshake with (e.g. 400, 426). */
  status?: number;
  /** WebSocket close code to fail an open connection with (e.g. 1002, 1009). */
  closeCode?: number;
  /** Extra headers for the HTTP rejection (e.g. `Allow: GET` with 405). */
  headers?: Readonly<Record<string, string>>;
  /** The error that led to this one, if any. */
  cause?: unknown;
}

/**
 * A handshake or protocol failure with a stable `code` and the answer to send.
 *
 * @example Telling failures apart by code
 * ```ts
 * import { ProtocolError } from "@omnisocket/core";
 *
 * const error = new ProtocolError(
 *   "UNSUPPORTED_VERSION",
 *   "Cannot accept upgrade: Sec-WebSocket-Version must be 13",
 *   { status: 426, headers: { Upgrade: "websocket", "Sec-WebSocket-Version": "13" } },
 * );
 * if (error.code === "UNSUPPORTED_VERSION") console.log(error.status); // 426
 * ```
 */
export class ProtocolError extends Error {
  /** Stable identifier of the failure, e.g. `"INVALID_KEY"`; safe to switch on. */
  readonly code: ErrorCode;
  /** HTTP status for handshake failures; `undefined` for frame-level failures. */
  readonly status: number | undefined;
  /** Close code for frame-level failures; `undefined` for handshake failures. */
  readonly closeCode: number | undefined;
  /** Headers the HTTP rejection must carry (e.g. `Sec-WebSocket-Version`). */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * Creates an error with a stable code, a "Cannot <action>: <reason>" message,
   * and the status or close code to answer with.
   */
  constructor(code: ErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ProtocolError";
    this.code = code;
    this.status = options.status;
    this.closeCode = options.closeCode;
    this.headers = options.headers ?? {};
  }
}
