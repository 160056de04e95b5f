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

import { Buffer as NodeBuffer } from "node:buffer";
import type { Socket } from "node:net";
import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Duplex } from "node:stream";
import type { Handler } from "../api/handler.ts";
import type { PeerRegistry } from "../api/peer_registry.ts";
import type { ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { HeaderMap } from "../handshake/header_map.ts";
import { acceptNodeSocket, listenNodeTcp } from "../runtime/node/node_tcp.ts";
import { nodeEngineRuntime } from "../runtime/node_engine_runtime.ts";
import { EngineConnection } from "../server/engine_connection.ts";
import { createEngineServer, type EngineRuntime } from "../server/engine_server.ts";

// A message joined from several reads is written over in full, so the
// zero-fill of `new Uint8Array` (a memset of the whole message) is waste.
// allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool,
// so a message kept by the application pins nothing else.
const allocate = (size: number): Uint8Array => {
  const buffer = NodeBuffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
};
const runtime: EngineRuntime = { ...nodeEngineRuntime, allocate };

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
  const { port = 8080, hostname = "127.0.0.1", ...rest } = options;
  const engine = createEngineServer(handler, { ...rest, hostname, port }, runtime);
  return engine.start(await listenNodeTcp({ hostname, port }, engine.accept));
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
): Pick<WebSocketServer, "publish" | "subscriberCount" | "close"> & { peers: PeerRegistry } {
  const { path, ...shared } = options;
  const { core, accept: _accept } = createEngineServer(handler, {
    ...shared,
    hostname: "",
    port: 0,
  }, runtime);
  const context = { core, computeAccept: runtime.computeAccept };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, rest: Uint8Array) => {
    const target = request.url ?? "/";
    if (path !== undefined && target.split("?")[0] !== path) return;
    const head = {
      method: request.method ?? "GET",
      target,
      httpVersion: request.httpVersion,
      headers: new HeaderMap(pairs(request.rawHeaders)),
      rest,
    };
    const scheme = (socket as { encrypted?: boolean }).encrypted ? "https" : "http";
    acceptNodeSocket(
      socket as Socket,
      (stream) => new EngineConnection(context, stream, { scheme, head }),
    );
  };
  server.on("upgrade", onUpgrade);
  return {
    peers: core.peers,
    publish: (topic, data, options) => core.publish(topic, data, options),
    subscriberCount: (topic) => core.subscriberCount(topic),
    close: () => core.shutdown({ stopAccepting: () => void server.off("upgrade", onUpgrade) }),
  };
}

function* pairs(raw: string[]): Iterable<[string, string]> {
  for (let index = 0; index + 1 < raw.length; index += 2) yield [raw[index], raw[index + 1]];
}
