/**
 * omnisocket on Deno: `Deno.serve` with `Deno.upgradeWebSocket`.
 *
 * Deno upgrades requests that RFC 6455 refuses (malformed keys, other
 * versions, POST, HEAD), so every request passes our handshake validation
 * first. Deno has no message size limit of its own and no ping(): the size
 * limit is enforced here when a message arrives, and the heartbeat is
 * Deno's `idleTimeout`.
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import type { PeerRegistry } from "../api/peer_registry.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { denoRuntime, denoUpgrader } from "../runtime/deno/deno_upgrader.ts";
import { listenDenoTcp } from "../runtime/deno/deno_tcp.ts";
import { nodeEngineRuntime } from "../runtime/node_engine_runtime.ts";
import { serveOnChosenEngine } from "../server/engine_server.ts";
import { ServerCore } from "../server/server_core.ts";
import type { EngineServeOptions } from "../api/standalone_serve_options.ts";
import type { ServerOptions } from "../api/server_options.ts";

export type { TlsOptions } from "../api/tls_options.ts";
export type {
  EngineServeOptions,
  StandaloneServeOptions,
} from "../api/standalone_serve_options.ts";

/** Options of the Deno adapter: the shared options, where to listen, and the engine. */
export type DenoServeOptions = EngineServeOptions;

/**
 * Serves `handler` with `Deno.serve`.
 *
 * @example
 * ```ts ignore
 * import { serve } from "@omnisocket/core/deno";
 * const server = serve({ message: (peer, message) => peer.send(message.data) }, { port: 8080 });
 * ```
 */
export function serve<Data = undefined>(
  handler: Handler<Data>,
  options: DenoServeOptions = {},
): WebSocketServer {
  return serveOnChosenEngine(
    handler,
    options,
    listenDenoTcp,
    nodeEngineRuntime,
    (shared, { hostname, port, tls }, fetch) => {
      const core = new ServerCore(handler as Handler<unknown>, shared, true);
      const upgrade = denoUpgrader(core);
      const server = denoRuntime().serve(
        { hostname, port, onListen: () => {}, ...(tls ? { cert: tls.cert, key: tls.key } : {}) },
        (request, info) =>
          request.headers.has("upgrade") || !fetch
            ? upgrade(request, `${info.remoteAddr.hostname}:${info.remoteAddr.port}`)
            : fetch(request),
      );
      return core.server(server.addr.hostname, server.addr.port, {
        stopAccepting: () => server.shutdown(),
      }, tls ? "https" : "http");
    },
  );
}

/**
 * Returns a function that answers one upgrade request, for use inside your
 * own `Deno.serve` handler (routing, other endpoints). Its peers share one
 * set of topics, of this upgrader's own.
 *
 * @example
 * ```ts ignore
 * import { createUpgrader } from "@omnisocket/core/deno";
 * const upgrade = createUpgrader({ message: (peer, m) => peer.send(m.data) });
 * Deno.serve((request, info) =>
 *   new URL(request.url).pathname === "/ws" ? upgrade(request) : new Response("hello"));
 * ```
 */
export function createUpgrader<Data = undefined>(
  handler: Handler<Data>,
  options: ServerOptions = {},
  peers?: PeerRegistry,
): (request: Request, remoteAddress?: string) => Response | Promise<Response> {
  return denoUpgrader(new ServerCore(handler as Handler<unknown>, options, true, { peers }));
}
