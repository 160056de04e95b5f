/**
 * A Deno WebSocket (from `Deno.upgradeWebSocket`) under a Peer: the native
 * socket transport with Deno's calls, and the socket's event listener.
 *
 * @module
 */

import type { PeerInit } from "../../api/peer.ts";
import { NativeSocketTransport } from "../../server/native_socket_transport.ts";
import type { ServerCore } from "../../server/server_core.ts";

/**
 * One upgraded socket: its transport and its event listener in one object.
 * A connection that sits idle for hours costs this object and the session,
 * not a closure per event and per transport operation.
 *
 * @example
 * ```ts ignore
 * new DenoTransport(core, socket, init, 64 * 1024);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class DenoTransport extends NativeSocketTransport {
  #socket: WebSocket;
  #measureEvery: number;
  // Reading bufferedAmount calls into Deno's Rust side. An upper bound of the
  // queue (last reading + bytes sent since) is enough until it could matter,
  // so small sends measure once per `measureEvery` bytes instead of each time.
  #queuedAtMost = 0;

  constructor(core: ServerCore, socket: WebSocket, init: PeerInit<unknown>, measureEvery: number) {
    super(core, init);
    this.pingUnsupported = "Deno's WebSocket has no ping(); the heartbeat uses Deno's idleTimeout";
    this.#socket = socket;
    this.#measureEvery = measureEvery;
    socket.binaryType = "arraybuffer";
    // The object itself listens (handleEvent): no closure per event type.
    socket.addEventListener("open", this);
    socket.addEventListener("message", this);
    // Deno fires `error` for an abrupt disconnect ("Unexpected EOF"): not a
    // failure of ours, and the close event that follows reports it as 1006.
    socket.addEventListener("close", this);
  }

  /** The socket's events. */
  handleEvent(event: Event): void {
    if (event.type === "message") {
      const payload = (event as MessageEvent).data as string | ArrayBuffer;
      this.receive(typeof payload === "string" ? payload : new Uint8Array(payload));
    } else if (event.type === "open") {
      // Fired once: dropping the listener frees its record for the socket's life.
      this.#socket.removeEventListener("open", this);
      this.open();
    } else if (event.type === "close") {
      const { code, reason, wasClean } = event as CloseEvent;
      this.finish(code, reason, wasClean);
    }
  }

  send(data: string | Uint8Array): number {
    this.#socket.send(data);
    // A UTF-16 unit takes at most 3 bytes of UTF-8.
    const queued = this.#queuedAtMost += typeof data === "string" ? data.length * 3 : data.length;
    if (queued < this.#measureEvery) return queued;
    return this.#queuedAtMost = this.#socket.bufferedAmount;
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  protected closeSocket(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }

  protected get socketOpen(): boolean {
    return this.#socket.readyState === 1;
  }

  protected override drainPolled(): void {
    this.#queuedAtMost = this.#socket.bufferedAmount;
  }
}
