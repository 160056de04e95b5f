/**
 * A Bun ServerWebSocket under a Peer: the native socket transport with
 * Bun's calls. Bun pings, drops sockets and reports drains itself, so those
 * parts of the shared transport give way to Bun's own.
 *
 * @module
 */

import type { PeerInit } from "../../api/peer.ts";
import { NativeSocketTransport } from "../../server/native_socket_transport.ts";
import type { ServerCore } from "../../server/server_core.ts";
import type { BunTopicSocket } from "./bun_native_topics.ts";

/**
 * The parts of Bun's ServerWebSocket the adapter uses.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface BunWebSocket extends BunTopicSocket {
  /** The peer's ingredients from the upgrade until `open`, then its transport. */
  data: PeerInit<unknown> | BunTransport;
  binaryType: "nodebuffer" | "arraybuffer" | "uint8array";
  send(data: string | Uint8Array, compress?: boolean): number;
  ping(data?: Uint8Array): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  getBufferedAmount(): number;
}

/**
 * The transport of one socket: one small object, where literals would cost a closure per operation.
 *
 * @example
 * ```ts ignore
 * ws.data = new BunTransport(core, ws, ws.data, compressFrom);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class BunTransport extends NativeSocketTransport {
  readonly ws: BunWebSocket;
  #compressFrom: number;

  constructor(core: ServerCore, ws: BunWebSocket, init: PeerInit<unknown>, compressFrom: number) {
    super(core, init);
    this.ws = ws;
    this.#compressFrom = compressFrom;
  }

  send(data: string | Uint8Array, compress?: boolean): number {
    // Bun's send returns the bytes written, -1 when the message had to be
    // queued (only then is there a backlog to measure), 0 when it dropped it
    // (past backpressureLimit = maxBufferedAmount): the Peer closes with 1008.
    // An empty message writes no payload bytes: 0 then says nothing of a drop.
    const status = this.ws.send(data, compress ?? data.length >= this.#compressFrom);
    if (status > 0) return 0;
    if (status === 0 && data.length > 0) return Number.POSITIVE_INFINITY;
    return this.ws.getBufferedAmount();
  }

  override ping(payload: Uint8Array): void {
    this.ws.ping(payload);
  }

  override terminate(): void {
    this.ws.terminate();
  }

  /** Bun fires `drain` itself. */
  override watchDrain(): void {}

  get bufferedAmount(): number {
    return this.ws.getBufferedAmount();
  }

  protected closeSocket(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  protected get socketOpen(): boolean {
    return this.ws.readyState === 1;
  }
}
