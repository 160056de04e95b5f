/**
 * The Peer: one open WebSocket connection as every hook sees it, identical on
 * every runtime.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { isValidCloseCode } from "../frame/mod.ts";

/**
 * What an adapter provides under a Peer: the runtime's socket, reduced to
 * the operations the Peer needs.
 */
export interface PeerTransport {
  /**
   * Queues one message (text for a string, binary for bytes) and returns the
   * bytes still queued afterwards, as `bufferedAmount` would: adapters can
   * often tell from the send itself, without a second call into the runtime.
   */
  send(data: string | Uint8Array): number;
  /** Sends a ping; throws a clear error where the runtime cannot. */
  ping(payload: Uint8Array): void;
  /** Starts the close handshake with an already validated code and reason. */
  close(code: number, reason: string): void;
  /** Ends the connection now, without a close handshake. */
  terminate(): void;
  /** Bytes queued by `send` and not yet handed to the operating system. */
  readonly bufferedAmount: number;
  /**
   * Someone waits for the queue to empty: report it through the session's
   * `flushed()` even if the runtime would not tell (Node's `drain` comes only
   * after a backlog past its own threshold; Deno has no such event).
   */
  watchDrain?(): void;
}

/** The life-cycle state of a Peer, numbered like `WebSocket.readyState`. */
export type ReadyState = 0 | 1 | 2 | 3;

/** Connection facts fixed at upgrade time. */
export interface PeerInit<Data> {
  /** The upgrade request, or a function building it on first use (raw-socket adapters). */
  request: Request | (() => Request);
  /** Per-connection data from the `upgrade` hook. */
  data: Data;
  /** The negotiated subprotocol ("" when none). */
  protocol: string;
  /** The negotiated extensions, as in `Sec-WebSocket-Extensions` ("" when none). */
  extensions: string;
  /** The client's "ip:port", or "" where the runtime does not tell. */
  remoteAddress: string;
  /**
   * The peer's id when the adapter restores a connection it already had
   * (a Durable Object waking from hibernation); a fresh one otherwise.
   */
  id?: string;
}

/** Limits a Peer enforces on sends. */
export interface PeerLimits {
  /** Queue size above which `send()` returns false. */
  backpressureLimit: number;
  /** Queue size above which the peer is closed with 1008. */
  maxBufferedAmount: number;
}

/** Mutable state shared by a Peer and the {@linkcode PeerSession} that drives it. */
export interface PeerState {
  /** Where the connection is in its life. */
  readyState: ReadyState;
  /** Resolvers of pending `drained()` promises; null when none (most of the time). */
  drainWaiters: (() => void)[] | null;
  /** True once a send went past the backpressure limit, until the queue empties. */
  awaitingDrain: boolean;
}

const encoder = new TextEncoder();
let nextId = 0;

/**
 * One WebSocket connection. The same object is passed to every hook of a
 * connection, so it can be used as a key (in a `Map`, a `Set`) for its life.
 *
 * Peers are created by the adapters; user code receives them in hooks.
 *
 * @example Backpressure-aware sending
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const handler: Handler = {
 *   async open(peer) {
 *     for (let i = 0; i < 1000; i++) {
 *       if (!peer.send(`tick ${i}`)) await peer.drained();
 *     }
 *     peer.close(1000, "done");
 *   },
 * };
 * ```
 */
export class Peer<Data = undefined> {
  /** Unique within the process, stable for the life of the connection. */
  readonly id: string;
  /** The negotiated subprotocol ("" when none). */
  readonly protocol: string;
  /** The negotiated extensions ("" when none). */
  readonly extensions: string;
  /** The client's "ip:port" where the runtime tells it, else "". */
  readonly remoteAddress: string;
  /** Per-connection data set by the `upgrade` hook; free to change. */
  data: Data;
  #request: Request | (() => Request);
  #transport: PeerTransport;
  #limits: PeerLimits;
  #state: PeerState;

  /** Adapters create peers; see {@linkcode PeerSession}. */
  constructor(
    transport: PeerTransport,
    init: PeerInit<Data>,
    limits: PeerLimits,
    state: PeerState,
  ) {
    this.id = init.id ?? (++nextId).toString(36);
    this.#request = init.request;
    this.protocol = init.protocol;
    this.extensions = init.extensions;
    this.remoteAddress = init.remoteAddress;
    this.data = init.data;
    this.#transport = transport;
    this.#limits = limits;
    this.#state = state;
  }

  /** The upgrade request, as a Web `Request`. */
  get request(): Request {
    if (typeof this.#request === "function") this.#request = this.#request();
    return this.#request;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): ReadyState {
    return this.#state.readyState;
  }

  /** Bytes queued for this peer and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.#transport.bufferedAmount;
  }

  /**
   * Sends a message: a string as text, bytes as binary. Returns false when
   * the message could not be sent (the peer is not open) or when the queue is
   * now above `backpressureLimit` — the message is queued then, and
   * `drained()` resolves once the queue is empty. A peer whose queue passes
   * `maxBufferedAmount` is closed with 1008.
   */
  send(data: string | ArrayBuffer | ArrayBufferView): boolean {
    if (this.#state.readyState !== 1) return false;
    const buffered = this.#transport.send(
      typeof data === "string" || data instanceof Uint8Array ? data : toSendable(data),
    );
    if (buffered > this.#limits.maxBufferedAmount) {
      this.close(1008, "send buffer overflow");
      return false;
    }
    if (buffered > this.#limits.backpressureLimit) {
      this.#state.awaitingDrain = true;
      this.#transport.watchDrain?.();
      return false;
    }
    return true;
  }

  /** Resolves when the send queue is empty (at once if it already is or the peer is closed). */
  drained(): Promise<void> {
    if (this.#state.readyState === 3 || this.#transport.bufferedAmount === 0) {
      return Promise.resolve();
    }
    this.#state.awaitingDrain = true;
    this.#transport.watchDrain?.();
    return new Promise((resolve) => (this.#state.drainWaiters ??= []).push(resolve));
  }

  /**
   * Starts the close handshake. The code must be valid on the wire (1000,
   * 1001–1003, 1007–1014, 3000–4999) and the reason at most 123 bytes of UTF-8;
   * otherwise this throws and the connection stays open.
   */
  close(code: number = 1000, reason: string = ""): void {
    if (!isValidCloseCode(code)) {
      throw new ProtocolError(
        "INVALID_CLOSE_CODE",
        `Cannot close: ${code} is not a close code an endpoint may send`,
      );
    }
    if (encoder.encode(reason).length > 123) {
      throw new ProtocolError(
        "CLOSE_REASON_TOO_LONG",
        "Cannot close: the reason is longer than 123 bytes of UTF-8",
      );
    }
    if (this.#state.readyState >= 2) return;
    this.#state.readyState = 2;
    this.#transport.close(code, reason);
  }

  /** Ends the connection at once, without a close handshake. */
  terminate(): void {
    if (this.#state.readyState === 3) return;
    this.#state.readyState = 2;
    this.#transport.terminate();
  }

  /** Sends a ping (at most 125 bytes of payload). */
  ping(payload: string | Uint8Array = new Uint8Array(0)): void {
    const bytes = typeof payload === "string" ? encoder.encode(payload) : payload;
    if (bytes.length > 125) {
      throw new ProtocolError("PING_TOO_LONG", "Cannot ping: the payload is longer than 125 bytes");
    }
    if (this.#state.readyState === 1) this.#transport.ping(bytes);
  }
}

function toSendable(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string" || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError("Cannot send: data must be a string, an ArrayBuffer or an ArrayBufferView");
}
