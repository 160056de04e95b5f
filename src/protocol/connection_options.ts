/**
 * Limits and behaviour of a `WebSocketConnection`.
 *
 * @module
 */

import type { MaskKeySource } from "../frame/mask_key_pool.ts";
import type { Extension } from "./extension.ts";

/**
 * Default {@linkcode ConnectionOptions.maxMessageSize}: 16 MiB, inclusive.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const DEFAULT_MAX_MESSAGE_SIZE: number = 16 * 1024 * 1024;
/**
 * Default {@linkcode ConnectionOptions.fragmentOverhead}: 64 bytes per buffered frame.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const DEFAULT_FRAGMENT_OVERHEAD: number = 64;

/**
 * Options of a `WebSocketConnection`. Every limit has a default
 * that is safe on the open internet.
 *
 * @example A server connection accepting messages up to 1 MiB
 * ```ts
 * import type { ConnectionOptions } from "@omnisocket/core/protocol";
 *
 * const options: ConnectionOptions = { role: "server", maxMessageSize: 1024 * 1024 };
 * ```
 */
export interface ConnectionOptions {
  /** Which end of the connection this is; decides masking and who closes TCP. */
  role: "server" | "client";
  /**
   * Largest message accepted, in bytes, inclusive (after extension decoding).
   * Larger fails the connection with 1009, as soon as a frame header
   * announces it. Default 16 MiB (16 777 216 bytes).
   */
  maxMessageSize?: number;
  /** Largest frame payload accepted, in bytes, inclusive; 1009 beyond. Default `maxMessageSize`. */
  maxFrameSize?: number;
  /**
   * Memory budget of a message being assembled: its bytes plus
   * `fragmentOverhead` per frame, so a flood of tiny fragments is cut off
   * (1009) long before its bookkeeping outweighs its bytes. Default
   * `maxMessageSize + max(64 KiB, maxMessageSize / 16)`.
   */
  maxFragmentBudget?: number;
  /** Bytes charged to the fragment budget per frame of a message. Default 64. */
  fragmentOverhead?: number;
  /**
   * Answer every ping with a pong carrying the same payload, in order.
   * Default true. When false, pings are only reported through `onPing`.
   */
  autoPong?: boolean;
  /** Negotiated extensions, in negotiation order. Default none. */
  extensions?: readonly Extension[];
  /**
   * Split outgoing messages into frames of at most this many payload bytes.
   * Default: one frame per message.
   */
  outgoingFragmentSize?: number;
  /** Source of masking keys for a client; default `crypto.getRandomValues`. For tests. */
  maskKeys?: MaskKeySource;
  /**
   * Allocates the buffer that a message arriving over several reads is
   * joined into. Every byte of it is written before the message is
   * delivered, so it need not be zeroed. Default `new Uint8Array(size)`,
   * which zero-fills: 9% of a Node echo server's time at 1 MiB messages,
   * which is why the Node adapter passes Node's uninitialised allocation.
   * A client also takes the masked copy of a large outgoing payload from it
   * (written over in full as well).
   */
  allocate?: (size: number) => Uint8Array;
}
