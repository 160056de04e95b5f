/**
 * omnisocket on Node: our own handshake and protocol engine over raw
 * sockets. Either a standalone server on `node:net`, or attached to an
 * existing `node:http` / `node:https` server's `upgrade` event (Express,
 * Fastify, Koa, wss through https).
 *
 * All frames produced while handling one read leave in one writev
 * (cork/uncork), and sends made in one tick outside a read are batched too.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { createServer, type Socket } from "node:net";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Duplex } from "node:stream";
import type { Handler } from "../api/handler.ts";
import { PeerRegistry } from "../api/peer_registry.ts";
import { resolveServerOptions, type ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { HeaderMap } from "../handshake/header_map.ts";
import type { RequestHead } from "../handshake/http_head_parser.ts";
import { type RawConnectionContext, serveRawConnection } from "../server/serve_raw_connection.ts";

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// Node's crypto.subtle.digest hops to the thread pool and back for every
// handshake; a synchronous SHA-1 gives the same bytes at a fraction of the cost.
function computeAccept(key: string): string {
  return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

// How long a half-closed connection may wait for the peer's own close.
const LINGER_MS = 2_000;

/** Options of the standalone Node server: the shared {@linkcode ServerOptions} plus where to listen. */
export interface NodeServeOptions extends ServerOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default "127.0.0.1". */
  hostname?: string;
  /**
   * Answers plain HTTP requests (no `Upgrade` header), one per connection:
   * enough for a health check or a demo page. For a full HTTP application,
   * use {@linkcode attach} on a `node:http` server instead. Default: none
   * (such requests get 400).
   */
  fetch?: (request: Request) => Response | Promise<Response>;
}

/** Options of {@linkcode attach}. */
export interface NodeAttachOptions extends ServerOptions {
  /** Only upgrades whose path is exactly this are handled; others are left to other listeners. Default: all. */
  path?: string;
}

/**
 * Serves `handler` on a standalone `node:net` server.
 *
 * @example
 * ```ts ignore
 * import { serve } from "omnisocket/node";
 * const server = await serve({ message: (peer, m) => peer.send(m.data) }, { port: 8080 });
 * process.on("SIGTERM", () => server.close());
 * ```
 */
export async function serve<Data = undefined>(
  handler: Handler<Data>,
  options: NodeServeOptions = {},
): Promise<WebSocketServer> {
  const { port = 8080, hostname = "127.0.0.1", fetch, ...shared } = options;
  const resolved = resolveServerOptions(shared);
  const peers = new PeerRegistry();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveSocket({
      handler: handler as Handler<unknown>,
      options: resolved,
      peers,
      fetch,
      computeAccept,
    }, socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as { address: string; port: number };
  return {
    hostname,
    port: address.port,
    url: `http://${hostname}:${address.port}`,
    peers,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await peers.shutdown(resolved.shutdownTimeout);
      // Connections still in their handshake are not peers yet: end them too.
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}

/**
 * Handles WebSocket upgrades of an existing `node:http` or `node:https`
 * server. Returns the peers and a `close()` that shuts down the WebSocket
 * side only (the HTTP server stays yours).
 *
 * @example With a plain http server
 * ```ts ignore
 * import { createServer } from "node:http";
 * import { attach } from "omnisocket/node";
 * const http = createServer((req, res) => res.end("hello"));
 * attach(http, { message: (peer, m) => peer.send(m.data) }, { path: "/ws" });
 * http.listen(8080);
 * ```
 */
export function attach<Data = undefined>(
  server: HttpServer,
  handler: Handler<Data>,
  options: NodeAttachOptions = {},
): { peers: PeerRegistry; close(): Promise<void> } {
  const { path, ...shared } = options;
  const resolved = resolveServerOptions(shared);
  const peers = new PeerRegistry();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, rest: Uint8Array) => {
    const target = request.url ?? "/";
    if (path !== undefined && target.split("?")[0] !== path) return;
    const head: RequestHead = {
      method: request.method ?? "GET",
      target,
      httpVersion: request.httpVersion,
      headers: new HeaderMap(pairs(request.rawHeaders)),
      rest,
    };
    serveSocket(
      { handler: handler as Handler<unknown>, options: resolved, peers },
      socket as Socket,
      head,
    );
  };
  server.on("upgrade", onUpgrade);
  return {
    peers,
    async close() {
      server.off("upgrade", onUpgrade);
      await peers.shutdown(resolved.shutdownTimeout);
    },
  };
}

/** Wires a node:net socket (or the Duplex of an `upgrade` event) to a raw connection. */
function serveSocket(context: RawConnectionContext, socket: Socket, head?: RequestHead): void {
  socket.setNoDelay(true);
  const events = serveRawConnection(context, {
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
    get queuedBytes() {
      return socket.writableLength;
    },
    remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
    scheme: (socket as { encrypted?: boolean }).encrypted ? "https" : "http",
  }, head);
  socket.on("data", events.data);
  socket.on("drain", events.drained);
  socket.on("error", () => socket.destroy());
  socket.on("close", events.closed);
}

function* pairs(raw: string[]): Iterable<[string, string]> {
  for (let index = 0; index + 1 < raw.length; index += 2) yield [raw[index], raw[index + 1]];
}
