/**
 * The adapter-facing side of a Peer: adapters report what their runtime saw
 * (open, message, pong, flushed, closed), and the session runs the user's
 * hooks, the heartbeat and drain notifications the same way on every runtime.
 *
 * @module
 */

import type { CloseDetails, Handler } from "./handler.ts";
import type { ServerMetrics } from "./metrics/server_metrics.ts";
import { joinHeartbeat, leaveHeartbeat } from "./heartbeat.ts";
import { Message } from "./message.ts";
import { Peer, type PeerInit, type PeerState, type PeerTransport } from "./peer.ts";
import type { ResolvedServerOptions } from "./server_options.ts";

/**
 * How a session treats liveness.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface PeerSessionOptions {
  /** Limits and the heartbeat interval, resolved. */
  options: ResolvedServerOptions;
  /** True when the runtime pings and cuts off dead peers itself (Deno's and Bun's idle timeouts). */
  nativeHeartbeat?: boolean;
  /** The server's topics; without, `peer.subscribe` rejects with `UNSUPPORTED_ON_RUNTIME`. */
  topics?: ConstructorParameters<typeof Peer>[4];
}

/**
 * Drives one {@linkcode Peer} from an adapter's events.
 *
 * @example Inside an adapter
 * ```ts ignore
 * const session = new PeerSession(handler, transport, init, { options });
 * socket.onopen = () => session.opened();
 * socket.onmessage = (event) => session.received(event.data);
 * socket.onclose = (event) => session.closed(event.code, event.reason, event.wasClean);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class PeerSession<Data = undefined> {
  /** The Peer every hook of this connection receives. */
  readonly peer: Peer<Data>;
  #handler: Handler<Data>;
  #transport: PeerTransport;
  #state: PeerState = { readyState: 0, drainWaiters: null, awaitingDrain: false, member: null };

  #heartbeatInterval: number;
  #metrics: ServerMetrics | undefined;
  #awaitingPong = false;
  #closed = false;

  /** Creates the Peer; hooks start with {@linkcode PeerSession.opened}. */
  constructor(
    handler: Handler<Data>,
    transport: PeerTransport,
    init: PeerInit<Data>,
    { options, nativeHeartbeat = false, topics }: PeerSessionOptions,
  ) {
    this.#handler = handler;
    this.#transport = transport;
    this.peer = new Peer(transport, init, options, this.#state, topics);
    this.#heartbeatInterval = nativeHeartbeat ? 0 : options.heartbeatInterval;
    this.#metrics = options.metrics;
  }

  /** The connection is open: runs the `open` hook and starts the heartbeat. */
  opened(): void {
    this.#state.readyState = 1;
    this.#metrics?.opened();
    if (this.#heartbeatInterval > 0) joinHeartbeat(this.#heartbeatInterval, this);
    this.#run(() => this.#handler.open?.(this.peer));
  }

  /**
   * The connection was open before this session existed (a Durable Object
   * woke from hibernation with its sockets still connected): the peer is
   * open again without running the `open` hook a second time.
   */
  resumed(): void {
    this.#state.readyState = 1;
    this.#metrics?.opened();
    if (this.#heartbeatInterval > 0) joinHeartbeat(this.#heartbeatInterval, this);
  }

  /** A complete message arrived. */
  received(data: string | Uint8Array): void {
    this.#awaitingPong = false;
    this.#metrics?.received(data);
    const handler = this.#handler;
    if (handler.message === undefined) return;
    // The hot path: no closure per message, unlike the other hooks' #run.
    try {
      const result = handler.message(this.peer, new Message(data));
      if (result instanceof Promise) result.catch((error) => this.#reportError(error));
    } catch (error) {
      this.#reportError(error);
    }
  }

  /** A pong arrived: the peer is alive. */
  ponged(): void {
    this.#awaitingPong = false;
  }

  /** The adapter's send queue shrank; fires `drain` once it is empty after backpressure. */
  flushed(): void {
    const state = this.#state;
    if (!state.awaitingDrain) return;
    if (this.#transport.bufferedAmount > 0) {
      this.#transport.watchDrain?.(); // not empty yet: keep watching
      return;
    }
    state.awaitingDrain = false;
    const waiters = state.drainWaiters;
    state.drainWaiters = null;
    if (waiters !== null) { for (const resolve of waiters) resolve(); }
    if (this.#handler.drain) this.#run(() => this.#handler.drain!(this.peer));
  }

  /**
   * A protocol failure on this connection (the peer misbehaved). Goes to the
   * `error` hook when there is one; a misbehaving client is not a server bug,
   * so nothing is logged otherwise.
   */
  failed(error: Error): void {
    if (this.#handler.error) this.#reportError(error);
  }

  /** The connection is over; runs the `close` hook once. */
  closed(code: number, reason: string, wasClean: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    const opened = this.#state.readyState !== 0;
    this.#state.readyState = 3;
    if (opened) this.#metrics?.closed(code);
    // A closing peer leaves its topics before its close hook runs.
    this.#state.member?.leave();
    if (this.#heartbeatInterval > 0) leaveHeartbeat(this.#heartbeatInterval, this);
    const waiters = this.#state.drainWaiters;
    this.#state.drainWaiters = null;
    if (waiters !== null) { for (const resolve of waiters) resolve(); }
    const details: CloseDetails = { code, reason, wasClean };
    if (opened) this.#run(() => this.#handler.close?.(this.peer, details));
  }

  /**
   * One tick of the shared heartbeat (the adapter does not call it): pings
   * the peer, or ends it when the last ping went unanswered.
   */
  beat(): void {
    if (this.#awaitingPong) {
      // No answer for a whole interval: the peer or the path to it is gone.
      this.peer.terminate();
      return;
    }
    this.#awaitingPong = true;
    this.#transport.ping(new Uint8Array(0));
  }

  // A throwing or rejecting hook is reported (logged when there is no error
  // hook: it is a bug in the application), never allowed to take down the server.
  #run(hook: () => void | Promise<void>): void {
    try {
      const result = hook();
      if (result instanceof Promise) result.catch((error) => this.#reportError(error));
    } catch (error) {
      this.#reportError(error);
    }
  }

  #reportError(error: unknown): void {
    const reported = error instanceof Error ? error : new Error(String(error));
    if (!this.#handler.error) {
      console.error(reported);
      return;
    }
    try {
      this.#handler.error(this.peer, reported);
    } catch (hookError) {
      console.error(hookError);
    }
  }
}
