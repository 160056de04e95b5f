/**
 * omnisocket on Bun: `Bun.serve` with `server.upgrade()` and a `websocket`
 * handler object.
 *
 * Bun upgrades requests without `Connection: Upgrade` (and HTTP/1.0 ones),
 * so every request passes our handshake validation first. Our options map
 * onto Bun's native ones: maxMessageSize → maxPayloadLength, heartbeat →
 * idleTimeout + sendPings, maxBufferedAmount → backpressureLimit (a peer
 * whose message Bun drops past it is closed by us with 1008; Bun's own
 * closeOnBackpressureLimit would cut it off with no close frame).
 *
 * Topics run on Bun's own pub/sub (`ws.subscribe`, `server.publish`): our
 * registry fixes each publication's order and offset, formats it once and
 * replays history with `ws.send` before `ws.subscribe` in the same turn;
 * Bun writes it to every subscriber in one call.
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import { negotiateRequestUpgrade } from "../api/negotiate_upgrade.ts";
import type { MemberPeer } from "../api/topics/topic_member.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { bunFanOut } from "../runtime/bun/bun_native_topics.ts";
import { type BunRuntime, bunWebSocketHandler, upgradeWithBun } from "../runtime/bun/bun_serve.ts";
import { listenBunTcp } from "../runtime/bun/bun_tcp.ts";
import type { BunWebSocket } from "../runtime/bun/bun_transport.ts";
import { nodeEngineRuntime } from "../runtime/node_engine_runtime.ts";
import { serveOnChosenEngine } from "../server/engine_server.ts";
import { ServerCore } from "../server/server_core.ts";
import type { EngineServeOptions } from "../api/standalone_serve_options.ts";

export type { TlsOptions } from "../api/tls_options.ts";
export type {
  EngineServeOptions,
  StandaloneServeOptions,
} from "../api/standalone_serve_options.ts";

/** Options of the Bun adapter: the shared options, where to listen, and the engine. */
export type BunServeOptions = EngineServeOptions;

/**
 * Serves `handler` with `Bun.serve`.
 *
 * @example
 * ```ts ignore
 * import { serve } from "omnisocket/bun";
 * const server = serve({ message: (peer, message) => peer.send(message.data) }, { port: 8080 });
 * ```
 */
export function serve<Data = undefined>(
  handler: Handler<Data>,
  options: BunServeOptions = {},
): WebSocketServer {
  return serveOnChosenEngine(
    handler,
    options,
    listenBunTcp,
    nodeEngineRuntime,
    (shared, { hostname, port, tls }, fetch) => {
      const bun = (globalThis as { Bun?: BunRuntime }).Bun;
      if (!bun) throw new Error("Cannot start the Bun adapter: this runtime is not Bun");
      // Topics: our registry orders, numbers and replays; Bun's own pub/sub writes.
      const sockets = new Map<MemberPeer, BunWebSocket>();
      const core: ServerCore = new ServerCore(handler as Handler<unknown>, shared, true, {
        fanOut: (options) =>
          bunFanOut(
            () => server,
            (peer) => sockets.get(peer),
            () => sockets.values(),
            options.maxBufferedAmount,
            options.perMessageDeflate === false ? Infinity : options.perMessageDeflate.threshold,
          ),
      });
      const resolved = core.options;
      const server = bun.serve({
        hostname,
        port,
        ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
        fetch(request, server) {
          if (fetch && !request.headers.has("upgrade")) return fetch(request);
          const address = server.requestIP(request);
          const remoteAddress = address ? `${address.address}:${address.port}` : "";
          const outcome = negotiateRequestUpgrade(core.handler, resolved, request, remoteAddress);
          // Without an upgrade hook the decision is synchronous: no promise for Bun to await.
          return outcome instanceof Promise
            ? outcome.then((settled) =>
              upgradeWithBun(server, request, remoteAddress, settled, resolved.perMessageDeflate)
            )
            : upgradeWithBun(server, request, remoteAddress, outcome, resolved.perMessageDeflate);
        },
        websocket: bunWebSocketHandler(core, sockets, shared.perMessageDeflate),
      });
      // The registry's count: Bun's own walks the topic's subscribers on each call.
      return core.server(
        server.hostname,
        server.port,
        { afterPeers: () => server.stop(true) },
        tls ? "https" : "http",
      );
    },
  );
}
