/**
 * A WebSocket server made of a raw TCP listener and omnisocket's own
 * handshake and protocol engine: the Node adapter's `serve`, and what
 * `engine: "omnisocket"` selects on Deno and Bun.
 *
 * @module
 */

import { computeAcceptSync } from "./node_accept_key.ts";
import { nodeDeflateCodec } from "./node_deflate_codec.ts";
import type { Handler } from "../api/handler.ts";
import { PeerRegistry } from "../api/peer_registry.ts";
import { resolveServerOptions, type ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { TopicRegistry } from "../api/topics/topic_registry.ts";
import { type RawConnectionContext, serveRawConnection } from "../server/serve_raw_connection.ts";
import type {
  AcceptTcp,
  TcpConnection,
  TcpListener,
  TcpListenOptions,
} from "../server/tcp_connection.ts";

/**
 * Where and how to serve with the omnisocket engine.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineServeOptions extends ServerOptions, TcpListenOptions {
  /** Answers plain HTTP requests (no `Upgrade` header), one per connection. */
  fetch?: (request: Request) => Response | Promise<Response>;
}

/**
 * An engine server waiting for its listener: `accept` for the listener, `start` once it listens.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineServer {
  /** Serves each accepted connection. */
  accept: AcceptTcp;
  /** Wraps the running listener as the adapter's {@linkcode WebSocketServer}. */
  start(listener: TcpListener): WebSocketServer;
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
}

/**
 * Prepares an engine server; for listeners that start asynchronously
 * (`node:net`), with what the runtime does faster than Web APIs.
 *
 * @example
 * ```ts ignore
 * const engine = createEngineServer(handler, options);
 * return engine.start(await listenNodeTcp(options, engine.accept));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function createEngineServer<Data>(
  handler: Handler<Data>,
  options: EngineServeOptions,
  { computeAccept, allocate }: EngineRuntime = {},
): EngineServer {
  const { hostname: _hostname, port: _port, fetch, ...shared } = options;
  const resolved = resolveServerOptions(shared);
  if (allocate) resolved.allocate = allocate;
  // Node, Deno and Bun all have node:zlib, which our engine compresses with.
  if (resolved.perMessageDeflate !== false) resolved.deflateCodec = nodeDeflateCodec();
  const peers = new PeerRegistry();
  const topics = new TopicRegistry(resolved.topics);
  const connections = new Set<TcpConnection>();
  const context: RawConnectionContext = {
    handler: handler as Handler<unknown>,
    options: resolved,
    peers,
    fetch,
    computeAccept,
    connections,
    topics,
  };
  return {
    accept: (connection) => serveRawConnection(context, connection),
    start: (listener) => ({
      hostname: listener.hostname,
      port: listener.port,
      url: `http://${listener.hostname}:${listener.port}`,
      peers,
      publish: (topic, data, options) => topics.publish(topic, data, options),
      subscriberCount: (topic) => topics.subscriberCount(topic),
      async close() {
        await listener.close();
        await peers.shutdown(resolved.shutdownTimeout);
        // Connections still in their handshake are not peers yet: end them too.
        for (const connection of connections) connection.destroy();
        await topics.close();
      },
    }),
  };
}

/**
 * Serves `handler` over a raw listener that starts synchronously
 * (`Deno.listen`, `Bun.listen`) with our own engine.
 *
 * @example
 * ```ts ignore
 * const server = serveWithEngine(handler, { hostname: "127.0.0.1", port: 8080 }, listenDenoTcp);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function serveWithEngine<Data>(
  handler: Handler<Data>,
  options: EngineServeOptions,
  listen: (options: TcpListenOptions, accept: AcceptTcp) => TcpListener,
): WebSocketServer {
  // Deno and Bun have node:crypto too: a synchronous SHA-1 instead of Web Crypto's thread hop.
  const engine = createEngineServer(handler, options, { computeAccept: computeAcceptSync });
  return engine.start(listen({ hostname: options.hostname, port: options.port }, engine.accept));
}
