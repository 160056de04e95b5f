/**
 * What a Peer stands on: the transport an adapter provides, the facts fixed
 * at upgrade time, the limits and the state a Peer shares with its session
 * and its topics. Types only, importing nothing: every layer may use them.
 *
 * @module
 */

/**
 * What an adapter provides under a Peer: the runtime's socket, reduced to
 * the operations the Peer needs.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface PeerTransport {
  /**
   * Queues one message (text for a string, binary for bytes) and returns the
   * bytes still queued afterwards, as `bufferedAmount` would: adapters can
   * often tell from the send itself, without a second call into the runtime.
   * `compress` is the sender's wish for permessage-deflate (`undefined`:
   * none, the threshold decides); ignored where nothing was negotiated.
   */
  send(data: string | Uint8Array, compress?: boolean): number;
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
  /**
   * Queues one topic publication's message and returns the bytes still
   * queued, like `send`. Transports that can write the same pre-encoded
   * frame bytes to every subscriber (our raw engine) take
   * `message.frame`; without this method, `send(message.data)` is used.
   */
  sendShared?(message: {
    readonly data: string | Uint8Array;
    readonly frame: Uint8Array;
    readonly compress: boolean;
  }): number;
}

/**
 * The life-cycle state of a Peer, numbered like `WebSocket.readyState`:
 * 0 connecting, 1 open, 2 closing, 3 closed.
 *
 * @internal Not exported by any entry point; `peer.readyState` is typed with its values.
 */
export type ReadyState = 0 | 1 | 2 | 3;

/**
 * Connection facts fixed at upgrade time.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
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

/**
 * Limits a Peer enforces on sends.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface PeerLimits {
  /** Queue size above which `send()` returns false. */
  backpressureLimit: number;
  /** Queue size above which the peer is closed with 1008. */
  maxBufferedAmount: number;
}

/**
 * Mutable state shared by a Peer and the {@linkcode PeerSession} that drives it.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface PeerState {
  /** Where the connection is in its life. */
  readyState: ReadyState;
  /** Resolvers of pending `drained()` promises; null when none (most of the time). */
  drainWaiters: (() => void)[] | null;
  /** True once a send went past the backpressure limit, until the queue empties. */
  awaitingDrain: boolean;
  /** The peer's topic subscriptions, created on its first topic operation; null before. */
  member?: { leave(): void } | null;
}
