/**
 * A WebSocket server made of a raw TCP listener and omnisocket's own
 * handshake and protocol engine: what `engine: "omnisocket"` selects on
 * Deno and Bun, for the same strict RFC 6455 behaviour as on Node.
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import { PeerRegistry } from "../api/peer_registry.ts";
import { resolveServerOptions, type ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { serveRawConnection } from "../server/serve_raw_connection.ts";
import type { AcceptTcp, TcpConnection, TcpListener, TcpListenOptions } from "./tcp_connection.ts";

/** Where and how to serve with the omnisocket engine. */
export interface EngineServeOptions extends ServerOptions, TcpListenOptions {
  /** Answers plain HTTP requests (no `Upgrade` header), one per connection. */
  fetch?: (request: Request) => Response | Promise<Response>;
}

/**
 * Serves `handler` over the raw listener `listen` with our own engine.
 *
 * @example
 * ```ts ignore
 * const server = serveWithEngine(handler, { hostname: "127.0.0.1", port: 8080 }, listenDenoTcp);
 * ```
 */
export function serveWithEngine<Data>(
  handler: Handler<Data>,
  options: EngineServeOptions,
  listen: (options: TcpListenOptions, accept: AcceptTcp) => TcpListener,
): WebSocketServer {
  const { hostname, port, fetch, ...shared } = options;
  const resolved = resolveServerOptions(shared);
  const peers = new PeerRegistry();
  const connections = new Set<TcpConnection>();
  const context = { handler: handler as Handler<unknown>, options: resolved, peers, fetch };
  const listener = listen({ hostname, port }, (connection) => {
    connections.add(connection);
    const events = serveRawConnection(context, { ...transportOf(connection), scheme: "http" });
    return {
      data: events.data,
      drained: events.drained,
      closed() {
        connections.delete(connection);
        events.closed();
      },
    };
  });
  return {
    hostname: listener.hostname,
    port: listener.port,
    url: `http://${listener.hostname}:${listener.port}`,
    peers,
    async close() {
      await listener.close();
      await peers.shutdown(resolved.shutdownTimeout);
      // Connections still in their handshake are not peers yet: end them too.
      for (const connection of connections) connection.destroy();
    },
  };
}

// A live view, not a copy: queuedBytes must be read at the time it is asked.
function transportOf(connection: TcpConnection) {
  return {
    write: (chunks: readonly Uint8Array[]) => connection.write(chunks),
    close: () => connection.close(),
    destroy: () => connection.destroy(),
    get queuedBytes() {
      return connection.queuedBytes;
    },
    remoteAddress: connection.remoteAddress,
  };
}
