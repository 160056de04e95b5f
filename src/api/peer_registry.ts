/**
 * The open peers of one server, and its graceful shutdown.
 *
 * @module
 */

import type { Peer } from "./peer.ts";

/**
 * Tracks open peers so a server can close them all: 1001 to every peer, a
 * wait for their close handshakes up to a timeout, then the rest are ended.
 *
 * @example
 * ```ts
 * import { PeerRegistry } from "./peer_registry.ts";
 *
 * const peers = new PeerRegistry();
 * await peers.shutdown(5_000); // resolves at once: nobody is connected
 * console.log(peers.size); // 0
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class PeerRegistry {
  #peers = new Set<Peer<unknown>>();
  #emptied: (() => void) | undefined;

  /** The number of open peers. */
  get size(): number {
    return this.#peers.size;
  }

  /** Every open peer, e.g. to broadcast. */
  values(): IterableIterator<Peer<unknown>> {
    return this.#peers.values();
  }

  /** Registers a peer that has opened. */
  add(peer: Peer<unknown>): void {
    this.#peers.add(peer);
  }

  /** Forgets a peer that has closed. */
  delete(peer: Peer<unknown>): void {
    this.#peers.delete(peer);
    if (this.#peers.size === 0) this.#emptied?.();
  }

  /** Sends 1001 to every peer, waits up to `timeout` ms for them to close, then terminates the rest. */
  async shutdown(timeout: number): Promise<void> {
    if (this.#peers.size === 0) return;
    const emptied = new Promise<void>((resolve) => (this.#emptied = resolve));
    for (const peer of this.#peers) peer.close(1001, "server shutting down");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)));
    await Promise.race([emptied, expired]);
    clearTimeout(timer);
    for (const peer of this.#peers) peer.terminate();
  }
}
