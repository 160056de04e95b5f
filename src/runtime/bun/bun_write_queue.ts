/**
 * What a Bun socket has not taken yet: Bun's `socket.write` writes what it
 * can and says how much; the rest waits here for its `drain` callback.
 *
 * @module
 */

/**
 * The write side of one Bun socket (`Bun.listen` or `Bun.connect`).
 *
 * @example
 * ```ts ignore
 * if (queue.add(chunks)) queue.flush(socket); // was empty: write now
 * // in the socket's drain callback:
 * if (queue.flush(socket)) handler.drained();
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class BunWriteQueue {
  #chunks: Uint8Array[] = [];
  #bytes = 0;

  /** Bytes queued and not yet taken by the socket. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when nothing is queued. */
  get empty(): boolean {
    return this.#chunks.length === 0;
  }

  /** Queues `chunks`; true when the queue was empty (the caller flushes now). */
  add(chunks: readonly Uint8Array[]): boolean {
    const wasEmpty = this.#chunks.length === 0;
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.#chunks.push(chunk);
      this.#bytes += chunk.length;
    }
    return wasEmpty;
  }

  /** Writes what the socket takes; true when nothing is left queued. */
  flush(socket: { write(bytes: Uint8Array): number }): boolean {
    const chunks = this.#chunks;
    while (chunks.length > 0) {
      const chunk = chunks[0];
      const written = Math.max(socket.write(chunk), 0);
      this.#bytes -= written;
      if (written < chunk.length) {
        chunks[0] = chunk.subarray(written);
        return false;
      }
      chunks.shift();
    }
    return true;
  }
}
