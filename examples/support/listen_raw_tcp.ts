/**
 * A raw TCP listener on whichever runtime runs the example: `node:net` on
 * Node, `Deno.listen` on Deno, `Bun.listen` on Bun: the adapters' own
 * listeners. Bytes in, bytes out.
 *
 * @module
 */

import type { AcceptStream, ListenOptions, StreamListener } from "../../src/server/byte_stream.ts";

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
  options: ListenOptions,
  accept: AcceptStream,
): Promise<StreamListener> {
  if (runtime.Bun) {
    return (await import("../../src/runtime/bun/bun_tcp.ts")).listenBunTcp(options, accept);
  }
  if (runtime.Deno) {
    return (await import("../../src/runtime/deno/deno_tcp.ts")).listenDenoTcp(options, accept);
  }
  return (await import("../../src/runtime/node/node_tcp.ts")).listenNodeTcp(options, accept);
}
