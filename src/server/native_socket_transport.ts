/**
 * The one transport under a runtime's own WebSocket (Deno's, Bun's,
 * workerd's): what they all do the same way, once. Close once; terminate
 * where the runtime cannot drop a socket (1001, then report 1006); "ping
 * unsupported"; the message size check where the runtime has none; drain
 * polling where the runtime fires no drain event. Each runtime specialises
 * it in src/runtime/<runtime>/ with the calls into its socket.
 *
 * @module
 */

import type { PeerInit, PeerTransport } from "../api/peer.ts";
import type { PeerSession } from "../api/peer_session.ts";
import { ProtocolError } from "../errors/protocol_error.ts";
import { utf8ByteLengthExceeds } from "../frame/utf8_byte_length_exceeds.ts";
import type { ServerCore } from "./server_core.ts";

/**
 * Milliseconds between two readings of `bufferedAmount` while someone waits for a drain.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const DRAIN_POLL_MS = 5;

/**
 * A runtime's WebSocket under a Peer; subclasses make the calls into the socket.
 *
 * @example A subclass for a socket with send/close/bufferedAmount
 * ```ts ignore
 * class MyTransport extends NativeSocketTransport {
 *   send(data) { this.socket.send(data); return this.bufferedAmount; }
 *   get bufferedAmount() { return this.socket.bufferedAmount; }
 *   protected closeSocket(code, reason) { this.socket.close(code, reason); }
 *   protected get socketOpen() { return this.socket.readyState === 1; }
 * }
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export abstract class NativeSocketTransport implements PeerTransport {
  /** The peer's session over this transport. */
  readonly session: PeerSession<unknown>;
  /** The server's core. */
  protected readonly core: ServerCore;
  #closeSent = false;
  #finished = false;
  #drainPoll: ReturnType<typeof setTimeout> | undefined;

  /** Admits a connection: its session is made now, opened by {@linkcode NativeSocketTransport.open}. */
  constructor(core: ServerCore, init: PeerInit<unknown>) {
    this.core = core;
    this.session = core.session(this, init);
  }

  /** Queues a message; returns the bytes still queued. */
  abstract send(data: string | Uint8Array, compress?: boolean): number;
  /** Bytes the runtime has not yet written. */
  abstract get bufferedAmount(): number;
  /** The runtime's close call; called once. */
  protected abstract closeSocket(code?: number, reason?: string): void;
  /** Whether the socket still sends (its readyState is OPEN). */
  protected abstract get socketOpen(): boolean;
  /** Why `peer.ping()` cannot work here, for the error it throws. */
  protected pingUnsupported = "this runtime's WebSocket has no ping()";

  /** The runtime has no ping: says so. */
  ping(_payload?: Uint8Array): void {
    throw new ProtocolError("UNSUPPORTED_ON_RUNTIME", `Cannot ping: ${this.pingUnsupported}`);
  }

  /** Starts the close handshake (once). */
  close(code: number, reason: string): void {
    this.closeOnce(code, reason);
  }

  /** Whether our close frame (or the runtime's answer) is out. */
  get closeSent(): boolean {
    return this.#closeSent;
  }

  /** Calls the runtime's close once; later calls, and a socket already gone, do nothing. */
  closeOnce(code?: number, reason?: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    try {
      this.closeSocket(code, reason);
    } catch {
      // The connection is already gone: there is no one left to tell.
    }
  }

  /** Marks the socket closing without a call (its close already under way). */
  markCloseSent(): void {
    this.#closeSent = true;
  }

  /**
   * The runtime cannot drop a socket without a close frame: sends the
   * closest one, and reports the peer gone now as a dropped connection.
   */
  terminate(): void {
    this.closeOnce(1001, "");
    this.finish(1006, "", false);
  }

  /** The runtime fires no drain event: while someone waits, watch bufferedAmount. */
  watchDrain(): void {
    if (this.#drainPoll !== undefined || !this.socketOpen) return;
    this.#drainPoll = setTimeout(() => {
      this.#drainPoll = undefined;
      this.drainPolled();
      // Calls watchDrain again while the queue is not empty and someone waits.
      this.session.flushed();
    }, DRAIN_POLL_MS);
  }

  /** Called by each drain poll before the session looks at the queue. */
  protected drainPolled(): void {}

  /** The socket is open: the peer opens. */
  open(): void {
    this.core.opened(this.session);
  }

  /**
   * A message arrived: refused with 1009 past `maxMessageSize` (UTF-8 bytes
   * for text), for runtimes that have no limit of their own.
   */
  receive(data: string | Uint8Array): void {
    const limit = this.core.options.maxMessageSize;
    if (typeof data === "string" ? utf8ByteLengthExceeds(data, limit) : data.length > limit) {
      this.session.failed(
        new ProtocolError(
          "MESSAGE_TOO_LARGE",
          "Cannot receive message: it exceeds maxMessageSize",
          { closeCode: 1009 },
        ),
      );
      if (this.session.peer.readyState === 1) this.session.peer.close(1009, "message too big");
      return;
    }
    this.session.received(data);
  }

  /** The connection is over (reported once). */
  finish(code: number, reason: string, wasClean: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#closeSent = true;
    clearTimeout(this.#drainPoll);
    this.forget();
    this.core.closed(this.session, code, reason, wasClean);
  }

  /** Drops the adapter's own references to this connection, before the close hook runs. */
  protected forget(): void {}
}
