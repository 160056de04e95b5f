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

import type { Socket } from "node:net";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Http2SecureServer } from "node:http2";
import type { Duplex } from "node:stream";
import type { Handler } from "../api/handler.ts";
import type { PeerRegistry } from "../api/peer_registry.ts";
import type { ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { HeaderMap } from "../handshake/header_map.ts";
import type { TlsOptions } from "../api/tls_options.ts";
import type { StandaloneServeOptions } from "../api/standalone_serve_options.ts";
import type { RequestHead } from "../handshake/http_head_parser.ts";
import { listenNodeHttp2, takeHttp2WebSockets } from "../runtime/node/node_http2.ts";
import { acceptNodeSocket, listenNodeTcp } from "../runtime/node/node_tcp.ts";
import { nodeEngineRuntime } from "../runtime/node_engine_runtime.ts";
import { uninitialisedBytes } from "../runtime/node/uninitialised_bytes.ts";
import {
  createEngineServer,
  type EngineRuntime,
  type EngineServer,
} from "../server/engine_server.ts";

export type { TlsOptions } from "../api/tls_options.ts";
export type { StandaloneServeOptions } from "../api/standalone_serve_options.ts";

const runtime: EngineRuntime = { ...nodeEngineRuntime, allocate: uninitialisedBytes };

/** Options of the standalone Node server: the shared {@linkcode ServerOptions} plus where to listen. */
export interface NodeServeOptions extends StandaloneServeOptions {
  /**
   * Answers plain HTTP requests (no `Upgrade` header), one per connection:
   * enough for a health check or a demo page. For a full HTTP application,
   * use {@linkcode attach} on a `node:http` server instead. Default: none
   * (such requests get 400).
   */
  fetch?: (request: Request) => Response | Promise<Response>;
  /**
   * Serves TLS (`https:`, `wss:`) with this PEM certificate and key, over
   * HTTP/2 and HTTP/1.1 on the same port (ALPN): WebSockets open over both,
   * over HTTP/2 as extended CONNECT streams (RFC 8441), many on one
   * connection. Default: none (plain TCP, HTTP/1.1).
   */
  tls?: TlsOptions;
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
  const { port = 8080, hostname = "127.0.0.1", tls, ...rest } = options;
  if (tls !== undefined) {
    const { fetch, ...shared } = rest;
    const engine = createEngineServer(
      handler,
      { ...shared, hostname, port, scheme: "https" },
      runtime,
    );
    return engine.start(
      await listenNodeHttp2(
        { hostname, port, tls },
        (stream, head) => engine.acceptStarted(stream, { scheme: "https", head }),
        upgradeListener(engine, undefined),
        fetch,
      ),
    );
  }
  const engine = createEngineServer(handler, { ...rest, hostname, port }, runtime);
  return engine.start(await listenNodeTcp({ hostname, port }, engine.accept));
}

/**
 * Handles WebSocket upgrades of an existing `node:http` or `node:https`
 * server, or of a `node:http2` secure server (`http2.createSecureServer`):
 * there it announces extended CONNECT to new sessions and serves WebSockets
 * over HTTP/2 (RFC 8441), and over HTTP/1.1 too with `allowHTTP1`. Returns the peers and a `close()` that shuts down the WebSocket
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
  server: HttpServer | Http2SecureServer,
  handler: Handler<Data>,
  options: NodeAttachOptions = {},
): Pick<WebSocketServer, "publish" | "subscriberCount" | "close"> & { peers: PeerRegistry } {
  const { path, ...shared } = options;
  const engine = createEngineServer(handler, { ...shared, hostname: "", port: 0 }, runtime);
  const { core } = engine;
  const onUpgrade = upgradeListener(engine, path);
  server.on("upgrade", onUpgrade);
  const release = isHttp2Server(server)
    ? takeHttp2WebSockets(server, (stream, head) => {
      if (path !== undefined && head.target.split("?")[0] !== path) return undefined;
      return engine.acceptStarted(stream, { scheme: "https", head });
    })
    : undefined;
  return {
    peers: core.peers,
    publish: (topic, data, options) => core.publish(topic, data, options),
    subscriberCount: (topic) => core.subscriberCount(topic),
    close: () =>
      core.shutdown({
        stopAccepting: () => {
          server.off("upgrade", onUpgrade);
          release?.();
        },
      }),
  };
}

function isHttp2Server(server: HttpServer | Http2SecureServer): server is Http2SecureServer {
  return typeof (server as Http2SecureServer).updateSettings === "function";
}

// The `upgrade` listener of a node:http, node:https or node:http2 (allowHTTP1) server.
function upgradeListener(
  engine: EngineServer,
  path: string | undefined,
): (request: IncomingMessage, socket: Duplex, rest: Uint8Array) => void {
  return (request, socket, rest) => {
    const target = request.url ?? "/";
    if (path !== undefined && target.split("?")[0] !== path) return;
    const head: RequestHead = {
      method: request.method ?? "GET",
      target,
      httpVersion: request.httpVersion,
      headers: new HeaderMap(pairs(request.rawHeaders)),
      rest,
    };
    const scheme = (socket as { encrypted?: boolean }).encrypted ? "https" : "http";
    acceptNodeSocket(socket as Socket, (stream) => engine.acceptStarted(stream, { scheme, head }));
  };
}

function* pairs(raw: string[]): Iterable<[string, string]> {
  for (let index = 0; index + 1 < raw.length; index += 2) yield [raw[index], raw[index + 1]];
}
