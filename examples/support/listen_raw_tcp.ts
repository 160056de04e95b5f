/**
 * A raw TCP listener on whichever runtime runs the example: `node:net` on
 * Node, `Deno.listen` on Deno, `Bun.listen` on Bun. Bytes in, bytes out; the
 * WebSocket work is done by omnisocket's core on top of it.
 *
 * @module
 */

/** One accepted TCP connection, seen from the server. */
export interface RawConnection {
  /** The peer's address as "ip:port". */
  readonly remoteAddress: string;
  /** Queues bytes for the peer; all chunks of one call leave in one write where the runtime allows. */
  write(chunks: readonly Uint8Array[]): void;
  /** Closes the connection once everything written so far has been sent. */
  close(): void;
}

/** What the listener tells the code that owns a connection. */
export interface RawConnectionHandler {
  /** Bytes arrived. The chunk is the handler's to keep or mutate. */
  data(chunk: Uint8Array): void;
  /** The connection is gone (peer closed, error, or after `close()`). */
  closed(): void;
}

/** A running listener. */
export interface RawServer {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting; existing connections are left to their owners. */
  close(): Promise<void>;
}

/** Where to listen. Port 0 picks a free port. */
export interface ListenOptions {
  hostname: string;
  port: number;
}

type Accept = (connection: RawConnection) => RawConnectionHandler;

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;

/**
 * Listens for TCP connections on the runtime that runs this file.
 *
 * @example
 * ```ts ignore
 * const server = await listenRawTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
 *   data: (chunk) => connection.write([chunk]),
 *   closed: () => {},
 * }));
 * ```
 */
export function listenRawTcp(options: ListenOptions, accept: Accept): Promise<RawServer> {
  if (runtime.Bun) return listenBun(options, accept);
  if (runtime.Deno) return listenDeno(options, accept);
  return listenNode(options, accept);
}

async function listenNode(options: ListenOptions, accept: Accept): Promise<RawServer> {
  const net = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    const handler = accept({
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
      write(chunks) {
        if (socket.destroyed) return;
        // cork/uncork turns the chunks of one call into one writev syscall.
        socket.cork();
        for (const chunk of chunks) socket.write(chunk);
        socket.uncork();
      },
      close: () => socket.end(),
    });
    socket.on("data", (buffer: Uint8Array) => handler.data(buffer));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      sockets.delete(socket);
      handler.closed();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, resolve);
  });
  const address = server.address() as import("node:net").AddressInfo;
  return {
    hostname: options.hostname,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function listenDeno(options: ListenOptions, accept: Accept): Promise<RawServer> {
  const listener = runtime.Deno.listen({ hostname: options.hostname, port: options.port });
  (async () => {
    for await (const conn of listener) serveDenoConn(conn, accept);
  })().catch(() => {/* listener closed */});
  return Promise.resolve({
    hostname: options.hostname,
    port: listener.addr.port,
    close: () => Promise.resolve(listener.close()),
  });
}

// deno-lint-ignore no-explicit-any
function serveDenoConn(conn: any, accept: Accept): void {
  conn.setNoDelay?.(true);
  // Deno's writes are async and may be partial: a promise chain keeps them in order.
  let writing: Promise<void> = Promise.resolve();
  let closing = false;
  const writeAll = async (bytes: Uint8Array) => {
    for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
  };
  const handler = accept({
    remoteAddress: `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`,
    write(chunks) {
      if (closing) return;
      const bytes = chunks.length === 1 ? chunks[0] : concat(chunks);
      writing = writing.then(() => writeAll(bytes)).catch(() => {});
    },
    close() {
      if (closing) return;
      closing = true;
      writing = writing.then(() => conn.closeWrite()).catch(() => {});
    },
  });
  (async () => {
    try {
      while (true) {
        const buffer = new Uint8Array(64 * 1024);
        const read = await conn.read(buffer);
        if (read === null) break;
        handler.data(buffer.subarray(0, read));
      }
    } catch {
      // Reset by peer or closed locally: either way the connection is over.
    }
    await writing;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
    handler.closed();
  })();
}

function listenBun(options: ListenOptions, accept: Accept): Promise<RawServer> {
  // Bun writes what it can and reports how much; the rest waits for `drain`.
  interface BunSocketState {
    handler: RawConnectionHandler;
    pending: Uint8Array[];
    closing: boolean;
  }
  // deno-lint-ignore no-explicit-any
  const flush = (socket: any, state: BunSocketState) => {
    while (state.pending.length > 0) {
      const chunk = state.pending[0];
      const written = socket.write(chunk);
      if (written < chunk.length) {
        state.pending[0] = chunk.subarray(Math.max(written, 0));
        return;
      }
      state.pending.shift();
    }
    if (state.closing) socket.end();
  };
  const listener = runtime.Bun.listen({
    hostname: options.hostname,
    port: options.port,
    socket: {
      // deno-lint-ignore no-explicit-any
      open(socket: any) {
        socket.setNoDelay?.(true);
        const state: BunSocketState = { handler: undefined!, pending: [], closing: false };
        socket.data = state;
        state.handler = accept({
          remoteAddress: `${socket.remoteAddress}:${socket.remotePort ?? 0}`,
          write(chunks) {
            if (state.closing) return;
            state.pending.push(chunks.length === 1 ? chunks[0] : concat(chunks));
            if (state.pending.length === 1) flush(socket, state);
          },
          close() {
            state.closing = true;
            if (state.pending.length === 0) socket.end();
          },
        });
      },
      // deno-lint-ignore no-explicit-any
      data(socket: any, data: Uint8Array) {
        socket.data.handler.data(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      },
      // deno-lint-ignore no-explicit-any
      drain(socket: any) {
        flush(socket, socket.data);
      },
      // deno-lint-ignore no-explicit-any
      close(socket: any) {
        socket.data.handler.closed();
      },
      // deno-lint-ignore no-explicit-any
      error(socket: any) {
        socket.end();
      },
    },
  });
  return Promise.resolve({
    hostname: options.hostname,
    port: listener.port,
    close: () => Promise.resolve(listener.stop(true)),
  });
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
