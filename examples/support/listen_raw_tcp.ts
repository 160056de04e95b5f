/**
 * A raw TCP listener on whichever runtime runs the example: `node:net` on
 * Node, `Deno.listen` on Deno, `Bun.listen` on Bun (the last two are the
 * adapters' own listeners). Bytes in, bytes out.
 *
 * @module
 */

import type {
  AcceptTcp,
  TcpListener,
  TcpListenOptions,
} from "../../src/adapters/tcp_connection.ts";

// deno-lint-ignore no-explicit-any
const runtime = globalThis as any;

/**
 * Listens for TCP connections on the runtime that runs this file.
 *
 * @example
 * ```ts ignore
 * const server = await listenRawTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
 *   data: (chunk) => connection.write([chunk]),
 *   drained: () => {},
 *   closed: () => {},
 * }));
 * ```
 */
export async function listenRawTcp(
  options: TcpListenOptions,
  accept: AcceptTcp,
): Promise<TcpListener> {
  if (runtime.Bun) {
    return (await import("../../src/adapters/bun_tcp.ts")).listenBunTcp(options, accept);
  }
  if (runtime.Deno) {
    return (await import("../../src/adapters/deno_tcp.ts")).listenDenoTcp(options, accept);
  }
  return listenNode(options, accept);
}

async function listenNode(options: TcpListenOptions, accept: AcceptTcp): Promise<TcpListener> {
  const net = await import("node:net");
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const handler = accept({
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
      get queuedBytes() {
        return socket.writableLength;
      },
      write(chunks) {
        if (socket.destroyed) return;
        socket.cork();
        for (const chunk of chunks) socket.write(chunk);
        socket.uncork();
      },
      close: () => socket.end(),
      destroy: () => socket.destroy(),
    });
    socket.on("data", (buffer: Uint8Array) => handler.data(buffer));
    socket.on("drain", () => handler.drained());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => handler.closed());
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
