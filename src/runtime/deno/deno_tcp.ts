/**
 * Raw TCP on Deno (`Deno.listen`), for the omnisocket engine and raw examples.
 *
 * @module
 */

import type {
  AcceptStream,
  ByteStream,
  ByteStreamHandler,
  ListenOptions,
  StreamListener,
} from "../../server/byte_stream.ts";

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

interface DenoListen {
  listen(options: { hostname: string; port: number }): DenoListener;
  listenTls(
    options: { hostname: string; port: number; cert: string; key: string },
  ): DenoListener;
}

// An idle connection waits in a read with a buffer of its own (Deno reads
// into the buffer it is given, whenever the bytes come), so that buffer is
// most of what an idle connection costs: keep it small, reuse it, and copy out
// only the bytes read. A read that fills it means more is coming (a large
// message): the next reads get a large buffer, fresh each time, handed over
// without a copy, until one comes back short. 1 KiB holds most upgrade
// requests and small messages; measured at 10,000 idle connections, each KiB
// here is a KiB per connection.
const IDLE_READ_SIZE = 1024;
const BUSY_READ_SIZE = 64 * 1024;
// How long a half-closed connection may wait for the peer's own close.
const LINGER_MS = 2_000;

/**
 * Listens with `Deno.listen` (`Deno.listenTls` with `tls`) and hands each connection to `accept`.
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
export function listenDenoTcp(options: ListenOptions, accept: AcceptStream): StreamListener {
  const deno = (globalThis as { Deno?: DenoListen }).Deno;
  if (!deno) throw new Error("Cannot listen: this runtime is not Deno");
  const { hostname, port, tls } = options;
  // Deno.listenTls: the same connections, read and written in clear.
  const listener = tls
    ? deno.listenTls({ hostname, port, cert: tls.cert, key: tls.key })
    : deno.listen({ hostname, port });
  (async () => {
    for await (const conn of listener) serveConn(conn, accept);
  })().catch(() => {/* the listener was closed */});
  return {
    hostname: listener.addr.hostname,
    port: listener.addr.port,
    close: () => Promise.resolve(listener.close()),
  };
}

function serveConn(conn: DenoConn, accept: AcceptStream): void {
  conn.setNoDelay?.(true);
  const connection = new DenoTcpConnection(conn);
  connection.handler = accept(connection);
  void connection.readLoop();
}

// Connections we half-closed, by the time their peer's FIN is due: one sweep
// for all rather than a timer each. Deadlines only grow, so the sweep stops
// at the first connection still in time.
const lingering = new Map<DenoConn, number>();
let sweeper: ReturnType<typeof setInterval> | undefined;

function linger(conn: DenoConn): void {
  if (!lingering.has(conn)) lingering.set(conn, Date.now() + LINGER_MS);
  sweeper ??= setInterval(sweepLingering, LINGER_MS / 4);
  // Deno keeps running for a ref'ed interval; the connections it serves keep it alive anyway.
  (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno?.unrefTimer?.(
    sweeper as unknown as number,
  );
}

function sweepLingering(): void {
  const now = Date.now();
  for (const [conn, deadline] of lingering) {
    if (deadline > now) break;
    lingering.delete(conn);
    closeConn(conn);
  }
  if (lingering.size === 0) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

// Last writes and closes, put off for one turn of the event loop (one timer
// for every connection closing meanwhile). A client that sends its close
// frame and resets at once hands us both together: the read under way fails
// first, and the reply, whose write and half-close could only fail (each
// failure an error object with its stack), is dropped.
let closingSoon: DenoTcpConnection[] = [];

function closeNextTurn(connection: DenoTcpConnection): void {
  if (closingSoon.push(connection) === 1) setTimeout(closeBatch, 0);
}

function closeBatch(): void {
  const batch = closingSoon;
  closingSoon = [];
  for (const connection of batch) connection.flushFinal();
}

// One object per connection, its methods shared: no closures per connection.
class DenoTcpConnection implements ByteStream {
  readonly remoteAddress: string;
  handler!: ByteStreamHandler;
  #conn: DenoConn;
  // Deno's writes are async and may be partial: one promise chain keeps them in order.
  #writing: Promise<void> | null = null;
  #queuedBytes = 0;
  #ending = false;
  // closeWith's chunks until they are written (or dropped for a reset peer).
  #final: readonly Uint8Array[] | null = null;
  #reset = false;
  // Resolves once the handler ends the stream (close, closeWith, destroy).
  #whenEnding: Promise<void>;
  #endNow!: () => void;

  constructor(conn: DenoConn) {
    this.#conn = conn;
    this.remoteAddress = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    this.#whenEnding = new Promise((resolve) => (this.#endNow = resolve));
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  write(chunks: readonly Uint8Array[]): void {
    if (!this.#ending) this.#enqueue(chunks);
  }

  #enqueue(chunks: readonly Uint8Array[]): void {
    const bytes = chunks.length === 1 ? chunks[0] : concat(chunks);
    this.#queuedBytes += bytes.length;
    this.#writing = this.#writing === null
      ? this.#writeAll(bytes)
      : this.#writing.then(() => this.#writeAll(bytes));
  }

  close(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#endNow();
    this.#halfClose();
  }

  closeWith(chunks: readonly Uint8Array[]): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#endNow();
    this.#final = chunks;
    closeNextTurn(this);
  }

  /** Writes closeWith's chunks and half-closes, unless the peer reset meanwhile. */
  flushFinal(): void {
    const chunks = this.#final;
    if (chunks === null) return;
    this.#final = null;
    if (this.#reset) return;
    if (chunks.length > 0) this.#enqueue(chunks);
    this.#halfClose();
  }

  #halfClose(): void {
    // Half-close and keep reading: closing outright while the peer still
    // sends would answer it with a reset that can destroy our close frame.
    const conn = this.#conn;
    const closeWrite = () => conn.closeWrite().catch(ignore);
    this.#writing = this.#writing === null ? closeWrite() : this.#writing.then(closeWrite);
    linger(conn);
  }

  destroy(): void {
    this.#ending = true;
    this.#endNow();
    closeConn(this.#conn);
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    try {
      const conn = this.#conn;
      for (let offset = 0; offset < bytes.length;) {
        offset += await conn.write(bytes.subarray(offset));
      }
    } catch {
      // Reset by the peer: the read loop sees it too and reports the close.
      return;
    }
    this.#queuedBytes -= bytes.length;
    if (this.#queuedBytes === 0) this.handler.drained();
  }

  async readLoop(): Promise<void> {
    const conn = this.#conn;
    const idle = new Uint8Array(IDLE_READ_SIZE);
    let buffer = idle;
    try {
      while (true) {
        const read = await conn.read(buffer);
        if (read === null) {
          // The peer's FIN: an answer still on its way is written first.
          if (!this.#ending && this.handler.ended?.()) await this.#whenEnding;
          break;
        }
        // The handler owns what it is given: a copy out of the reused small
        // buffer, or the large one itself.
        this.handler.data(buffer === idle ? idle.slice(0, read) : buffer.subarray(0, read));
        buffer = read === buffer.length ? new Uint8Array(BUSY_READ_SIZE) : idle;
      }
    } catch {
      // Reset by the peer or closed here: either way the connection is over.
      this.#reset = true;
    }
    // A peer that half-closed still reads: a reply put off is sent first.
    this.flushFinal();
    if (this.#writing !== null) await this.#writing;
    lingering.delete(conn);
    closeConn(conn);
    this.handler.closed();
  }
}

function ignore(): void {}

function closeConn(conn: DenoConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/**
 * The chunks joined into one buffer: Deno writes one buffer per call.
 *
 * @example
 * ```ts ignore
 * concat([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
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
