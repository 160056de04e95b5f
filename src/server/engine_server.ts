/**
 * A WebSocket server made of a listener of byte streams and omnisocket's own
 * handshake and protocol engine: the Node adapter's `serve`, and what
 * `engine: "omnisocket"` selects on Deno and Bun. Runtime-neutral: what a
 * runtime does faster than Web APIs comes in as an {@linkcode EngineRuntime}.
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import type { ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import type { DeflateCodec } from "../protocol/deflate_codec.ts";
import type { AcceptStream, ByteStream, ListenOptions, StreamListener } from "./byte_stream.ts";
import { EngineConnection } from "./engine_connection.ts";
import { ServerCore } from "./server_core.ts";

/**
 * Where and how to serve with the omnisocket engine.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineServeOptions extends ServerOptions, ListenOptions {
  /** Answers plain HTTP requests (no `Upgrade` header), one per connection. */
  fetch?: (request: Request) => Response | Promise<Response>;
}

/**
 * What a runtime does better than the Web APIs the engine uses by default.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineRuntime {
  /** A faster `Sec-WebSocket-Accept` than Web Crypto's asynchronous SHA-1. */
  computeAccept?: (key: string) => string;
  /** Message buffers without the zero-fill of `new Uint8Array` (every byte is overwritten). */
  allocate?: (size: number) => Uint8Array;
  /** permessage-deflate's compressor; without one the extension is never negotiated. */
  deflateCodec?: () => DeflateCodec;
}

/**
 * An engine server waiting for its listener: `accept` for the listener, `start` once it listens.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineServer {
  /** The server's core (handler, options, registries). */
  core: ServerCore;
  /** Serves each accepted connection. */
  accept: AcceptStream;
  /** Wraps the running listener as the adapter's {@linkcode WebSocketServer}. */
  start(listener: StreamListener): WebSocketServer;
}

/**
 * Prepares an engine server; for listeners that start asynchronously (`node:net`).
 *
 * @example
 * ```ts ignore
 * const engine = createEngineServer(handler, options, runtime);
 * return engine.start(await listenNodeTcp(options, engine.accept));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function createEngineServer<Data>(
  handler: Handler<Data>,
  options: EngineServeOptions,
  { computeAccept, allocate, deflateCodec }: EngineRuntime = {},
): EngineServer {
  const { hostname: _hostname, port: _port, fetch, ...shared } = options;
  const core = new ServerCore(handler as Handler<unknown>, shared, false, {
    tune(resolved) {
      if (allocate) resolved.allocate = allocate;
      if (resolved.perMessageDeflate !== false && deflateCodec) {
        resolved.deflateCodec = deflateCodec();
      }
    },
  });
  const connections = new Set<ByteStream>();
  const context = { core, fetch, computeAccept, connections };
  return {
    core,
    accept: (stream) => new EngineConnection(context, stream),
    start: (listener) =>
      core.server(listener.hostname, listener.port, {
        stopAccepting: () => listener.close(),
        // Connections still in their handshake are not peers yet: end them too.
        afterPeers: () => {
          for (const stream of connections) stream.destroy();
        },
      }),
  };
}

/**
 * Serves `handler` over a listener that starts synchronously (`Deno.listen`, `Bun.listen`).
 *
 * @example
 * ```ts ignore
 * const server = serveWithEngine(handler, { hostname: "127.0.0.1", port: 8080 }, listenDenoTcp, runtime);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function serveWithEngine<Data>(
  handler: Handler<Data>,
  options: EngineServeOptions,
  listen: (options: ListenOptions, accept: AcceptStream) => StreamListener,
  runtime: EngineRuntime,
): WebSocketServer {
  const engine = createEngineServer(handler, options, runtime);
  return engine.start(listen({ hostname: options.hostname, port: options.port }, engine.accept));
}

/**
 * Where a Deno or Bun server listens and which engine it runs: the runtime's
 * own WebSocket server ("native") or ours over raw TCP ("omnisocket").
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineChoice extends ServerOptions {
  port?: number;
  hostname?: string;
  engine?: "native" | "omnisocket";
  fetch?: (request: Request) => Response | Promise<Response>;
}

/**
 * Serves with the chosen engine: ours over `listen`, or the runtime's own through `native`.
 *
 * @example
 * ```ts ignore
 * return serveOnChosenEngine(handler, options, listenDenoTcp, runtime, serveNatively);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function serveOnChosenEngine<Data>(
  handler: Handler<Data>,
  options: EngineChoice,
  listen: (options: ListenOptions, accept: AcceptStream) => StreamListener,
  runtime: EngineRuntime,
  native: (
    shared: ServerOptions,
    address: ListenOptions,
    fetch?: (request: Request) => Response | Promise<Response>,
  ) => WebSocketServer,
): WebSocketServer {
  const { port = 8080, hostname = "127.0.0.1", fetch, engine = "native", ...shared } = options;
  return engine === "omnisocket"
    ? serveWithEngine(handler, { ...shared, hostname, port, fetch }, listen, runtime)
    : native(shared, { hostname, port }, fetch);
}
