/**
 * Raw TCP on Deno (`Deno.listen`), for the omnisocket engine and raw examples.
 *
 * @module
 */

import type { AcceptTcp, TcpListener, TcpListenOptions } from "../server/tcp_connection.ts";

interface DenoConn {
  readonly remoteAddr: { hostname: string; port: number };
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(noDelay: boolean): void;
}

interface DenoListener extends AsyncIterable<DenoConn> {
  readonly addr: { hostname: string; port: number };
  close(): void;
}

const READ_SIZE = 64 * 1024;
// How long a half-closed connection may wait for the peer's own close.
const LINGER_MS = 2_000;

/**
 * Listens with `Deno.listen` and hands each connection to `accept`.
 *
 * @example
 * ```ts ignore
 * const listener = listenDenoTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
 *   data: (chunk) => connection.write([chunk]),
 *   drained: () => {},
 *   closed: () => {},
 * }));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function listenDenoTcp(options: TcpListenOptions, accept: AcceptTcp): TcpListener {
  const deno = (globalThis as { Deno?: { listen(options: TcpListenOptions): DenoListener } }).Deno;
  if (!deno) throw new Error("Cannot listen: this runtime is not Deno");
  const listener = deno.listen(options);
  (async () => {
    for await (const conn of listener) serveConn(conn, accept);
  })().catch(() => {/* the listener was closed */});
  return {
    hostname: listener.addr.hostname,
    port: listener.addr.port,
    close: () => Promise.resolve(listener.close()),
  };
}

function serveConn(conn: DenoConn, accept: AcceptTcp): void {
  conn.setNoDelay?.(true);
  // Deno's writes are async and may be partial: one promise chain keeps them in order.
  let writing: Promise<void> = Promise.resolve();
  let queuedBytes = 0;
  let ending = false;
  const writeAll = async (bytes: Uint8Array) => {
    for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
    queuedBytes -= bytes.length;
    if (queuedBytes === 0) handler.drained();
  };
  const handler = accept({
    remoteAddress: `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`,
    get queuedBytes() {
      return queuedBytes;
    },
    write(chunks) {
      if (ending) return;
      const bytes = chunks.length === 1 ? chunks[0] : concat(chunks);
      queuedBytes += bytes.length;
      writing = writing.then(() => writeAll(bytes)).catch(() => {});
    },
    close() {
      if (ending) return;
      ending = true;
      // Half-close and keep reading: closing outright while the peer still
      // sends would answer it with a reset that can destroy our close frame.
      writing = writing.then(() => conn.closeWrite()).catch(() => {});
      setTimeout(() => closeConn(conn), LINGER_MS);
    },
    destroy() {
      ending = true;
      closeConn(conn);
    },
  });
  (async () => {
    try {
      while (true) {
        // A fresh buffer per read: the handler owns what it is given.
        const buffer = new Uint8Array(READ_SIZE);
        const read = await conn.read(buffer);
        if (read === null) break;
        handler.data(buffer.subarray(0, read));
      }
    } catch {
      // Reset by the peer or closed here: either way the connection is over.
    }
    await writing;
    closeConn(conn);
    handler.closed();
  })();
}

function closeConn(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
