/**
 * Options of the client's `WebSocket` and `WebSocketStream`.
 *
 * @module
 */

import type { HeaderFields } from "../handshake/header_pairs.ts";
import type { ClientTlsOptions } from "./client_transport.ts";

/**
 * permessage-deflate (RFC 7692) as the client offers it.
 *
 * @example Small windows both ways
 * ```ts
 * import type { ClientDeflateOptions } from "@omnisocket/core/client";
 *
 * const deflate: ClientDeflateOptions = { clientMaxWindowBits: 10, serverMaxWindowBits: 10 };
 * ```
 */
export interface ClientDeflateOptions {
  /**
   * Largest window our compressor uses, 9 to 15, sent as `client_max_window_bits=N`.
   * Default: `client_max_window_bits` offered without a value (the server may pick).
   */
  clientMaxWindowBits?: number;
  /** Ask the server to use at most this window (8 to 15). Default: not asked. */
  serverMaxWindowBits?: number;
  /** Offer `server_no_context_takeover`. Default false (true where the codec has no dictionaries). */
  serverNoContextTakeover?: boolean;
  /** Offer `client_no_context_takeover`. Default false (true where the codec has no dictionaries). */
  clientNoContextTakeover?: boolean;
  /** Messages shorter than this many bytes go uncompressed. Default 1024. */
  threshold?: number;
  /** zlib level, 0 to 9. Default 6. */
  level?: number;
  /** zlib memory level, 1 to 9. Default 4. */
  memLevel?: number;
}

/**
 * What the client can be told beyond the browser's `WebSocket`.
 *
 * @example A client with compression, a header and a timeout
 * ```ts
 * import type { WebSocketClientOptions } from "@omnisocket/core/client";
 *
 * const options: WebSocketClientOptions = {
 *   headers: { Authorization: "Bearer token" },
 *   perMessageDeflate: true,
 *   handshakeTimeout: 5_000,
 * };
 * ```
 */
export interface WebSocketClientOptions {
  /** Subprotocols to offer (also the constructor's second argument). */
  protocols?: string | string[];
  /** Extra request headers (e.g. `Origin`, `Authorization`); handshake fields are refused. */
  headers?: HeaderFields;
  /** Offer permessage-deflate; true for the defaults. Default false. */
  perMessageDeflate?: boolean | ClientDeflateOptions;
  /** Largest message accepted, in bytes, after decompression; 1009 beyond. Default 16 MiB. */
  maxMessageSize?: number;
  /** Milliseconds from the start to the server's 101, then the connection fails. Default 30 000. */
  handshakeTimeout?: number;
  /** Milliseconds to wait for the server to end TCP after the close handshake. Default 5 000. */
  closeTimeout?: number;
  /** Aborting it fails a connection being opened, and closes an open one (1000). */
  signal?: AbortSignal;
  /**
   * An `http://` proxy to tunnel through with CONNECT, or false for none.
   * Default: `HTTPS_PROXY` (`wss:`) or `HTTP_PROXY` (`ws:`), lowercase too,
   * unless `NO_PROXY` lists the host.
   */
  proxy?: string | false;
  /** TLS settings for `wss:`. */
  tls?: ClientTlsOptions;
  /** Answer pings with pongs. Default true. */
  autoPong?: boolean;
}

/**
 * The options with their defaults filled in.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ResolvedClientOptions {
  protocols: string[];
  headers: HeaderFields | undefined;
  perMessageDeflate: ClientDeflateOptions | null;
  maxMessageSize: number;
  handshakeTimeout: number;
  closeTimeout: number;
  signal: AbortSignal | undefined;
  proxy: string | false | undefined;
  tls: ClientTlsOptions;
  autoPong: boolean;
}

// Shared by every connection that sets none (read only, never changed).
const NO_PROTOCOLS: string[] = [];
const NO_TLS_OPTIONS: ClientTlsOptions = {};

/**
 * Fills in defaults; throws a RangeError for a value out of range.
 *
 * @example
 * ```ts ignore
 * resolveClientOptions({ maxMessageSize: 1024 }, ["chat"]);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function resolveClientOptions(
  options: WebSocketClientOptions = {},
  protocols?: string | string[],
): ResolvedClientOptions {
  const offered = protocols ?? options.protocols ?? [];
  const deflate = options.perMessageDeflate === true ? {} : options.perMessageDeflate || null;
  if (deflate !== null) {
    range("perMessageDeflate.clientMaxWindowBits", deflate.clientMaxWindowBits, 9, 15);
    range("perMessageDeflate.serverMaxWindowBits", deflate.serverMaxWindowBits, 8, 15);
    range("perMessageDeflate.level", deflate.level, 0, 9);
    range("perMessageDeflate.memLevel", deflate.memLevel, 1, 9);
    range("perMessageDeflate.threshold", deflate.threshold, 0, Number.MAX_SAFE_INTEGER);
  }
  range("maxMessageSize", options.maxMessageSize, 1, Number.MAX_SAFE_INTEGER);
  range("handshakeTimeout", options.handshakeTimeout, 1, 2 ** 31 - 1);
  range("closeTimeout", options.closeTimeout, 1, 2 ** 31 - 1);
  return {
    protocols: typeof offered === "string"
      ? [offered]
      : offered.length === 0
      ? NO_PROTOCOLS
      : [...offered],
    headers: options.headers,
    perMessageDeflate: deflate,
    maxMessageSize: options.maxMessageSize ?? 16 * 1024 * 1024,
    handshakeTimeout: options.handshakeTimeout ?? 30_000,
    closeTimeout: options.closeTimeout ?? 5_000,
    signal: options.signal,
    proxy: options.proxy,
    tls: options.tls ?? NO_TLS_OPTIONS,
    autoPong: options.autoPong ?? true,
  };
}

function range(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`Cannot create client: ${name} must be an integer from ${min} to ${max}`);
  }
}
