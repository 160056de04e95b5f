/**
 * Raw TCP on Node (`node:net`), for the Node adapter and raw examples.
 *
 * @module
 */

import { createServer, type Socket } from "node:net";
import type { AcceptTcp, TcpListener, TcpListenOptions } from "../server/tcp_connection.ts";

// How long a half-closed connection may wait for the peer's own close.
const LINGER_MS = 2_000;

/**
 * Listens with `node:net` and hands each connection to `accept`.
 *
 * @example
 * ```ts ignore
 * const listener = await listenNodeTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
 *   data: (chunk) => connection.write([chunk]),
 *   drained: () => {},
 *   closed: () => {},
 * }));
 * ```
 */
export async function listenNodeTcp(
  options: TcpListenOptions,
  accept: AcceptTcp,
): Promise<TcpListener> {
  const server = createServer((socket) => acceptNodeSocket(socket, accept));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    hostname: options.hostname,
    port: (server.address() as { port: number }).port,
    // Stops accepting at once; Node's callback would wait for every open connection.
    close: () => Promise.resolve(void server.close()),
  };
}

/**
 * Hands one `node:net` socket (or the socket of node:http's `upgrade`
 * event) to `accept` as a {@linkcode TcpConnection}.
 *
 * @example
 * ```ts ignore
 * httpServer.on("upgrade", (request, socket) => acceptNodeSocket(socket, accept));
 * ```
 */
export function acceptNodeSocket(socket: Socket, accept: AcceptTcp): void {
  socket.setNoDelay(true);
  const handler = accept({
    remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
    get queuedBytes() {
      return socket.writableLength;
    },
    write(chunks) {
      if (socket.destroyed) return;
      // One writev for everything produced by one read or one tick.
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    },
    // end() half-closes and keeps reading until the peer's FIN; the linger
    // timer ends a peer that never sends one.
    close() {
      socket.end();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    },
    destroy: () => void socket.destroy(),
  });
  socket.on("data", (chunk: Uint8Array) => handler.data(chunk));
  socket.on("drain", () => handler.drained());
  socket.on("error", () => socket.destroy());
  socket.on("close", () => handler.closed());
}
