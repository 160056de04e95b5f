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

import type { ResolvedPerMessageDeflate } from "../api/per_message_deflate_options.ts";
import type { Handler } from "../api/handler.ts";
import { negotiateRequestUpgrade, type UpgradeNegotiation } from "../api/negotiate_upgrade.ts";
import type { PeerInit } from "../api/peer.ts";
import type { MemberPeer } from "../api/topics/topic_member.ts";
import type { ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { bunFanOut, type BunTopicServer } from "../runtime/bun/bun_native_topics.ts";
import { listenBunTcp } from "../runtime/bun/bun_tcp.ts";
import { BunTransport, type BunWebSocket } from "../runtime/bun/bun_transport.ts";
import { nodeEngineRuntime } from "../runtime/node_engine_runtime.ts";
import { serveWithEngine } from "../server/engine_server.ts";
import { ServerCore } from "../server/server_core.ts";

interface BunServer extends BunTopicServer {
  readonly hostname: string;
  readonly port: number;
  upgrade(request: Request, options: { data: unknown; headers?: Headers }): boolean;
  requestIP(request: Request): { address: string; port: number } | null;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

interface BunRuntime {
  serve(options: {
    hostname: string;
    port: number;
    fetch(
      request: Request,
      server: BunServer,
    ): Response | undefined | Promise<Response | undefined>;
    websocket: Record<string, unknown>;
  }): BunServer;
}

/** Options of the Bun adapter: the shared {@linkcode ServerOptions} plus where to listen. */
export interface BunServeOptions extends ServerOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default "127.0.0.1". */
  hostname?: string;
  /**
   * `"native"` (default) upgrades through Bun's own WebSocket server.
   * `"omnisocket"` serves raw TCP with omnisocket's protocol engine instead:
   * the strict RFC 6455 behaviour of the Node adapter (our conformance suite
   * passes in full), where Bun's native server deviates (README, capabilities).
   */
  engine?: "native" | "omnisocket";
  /** Answers requests that are not WebSocket upgrades (no `Upgrade` header). */
  fetch?: (request: Request) => Response | Promise<Response>;
}

// Bun's idleTimeout is in seconds and capped at 960.
const BUN_MAX_IDLE_TIMEOUT = 960;

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
  const { port = 8080, hostname = "127.0.0.1", fetch, engine = "native", ...shared } = options;
  if (engine === "omnisocket") {
    return serveWithEngine(
      handler,
      { ...shared, hostname, port, fetch },
      listenBunTcp,
      nodeEngineRuntime,
    );
  }
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
      ),
  });
  const resolved = core.options;
  const heartbeatSeconds = Math.min(
    Math.ceil(resolved.heartbeatInterval / 1000),
    BUN_MAX_IDLE_TIMEOUT,
  );
  // Bun compresses only when send() asks: the threshold is applied here.
  const deflate = resolved.perMessageDeflate;
  const compressFrom = deflate === false ? Infinity : deflate.threshold;

  const server = bun.serve({
    hostname,
    port,
    fetch(request, server) {
      if (fetch && !request.headers.has("upgrade")) return fetch(request);
      const address = server.requestIP(request);
      const remoteAddress = address ? `${address.address}:${address.port}` : "";
      const outcome = negotiateRequestUpgrade(core.handler, resolved, request, remoteAddress);
      // Without an upgrade hook the decision is synchronous: no promise for Bun to await.
      return outcome instanceof Promise
        ? outcome.then((settled) => upgrade(server, request, remoteAddress, settled, deflate))
        : upgrade(server, request, remoteAddress, outcome, deflate);
    },
    websocket: {
      maxPayloadLength: resolved.maxMessageSize,
      // Past it Bun drops messages; we close such a peer with 1008 (see
      // BunTransport.send and bunFanOut) rather than let Bun cut it off.
      backpressureLimit: resolved.maxBufferedAmount,
      closeOnBackpressureLimit: false,
      idleTimeout: heartbeatSeconds,
      sendPings: heartbeatSeconds > 0,
      perMessageDeflate: bunPerMessageDeflate(resolved.perMessageDeflate),
      open(ws: BunWebSocket) {
        // Binary messages then arrive as plain Uint8Arrays, which the session
        // takes as they are: no Buffer, and no view of it made per message.
        ws.binaryType = "uint8array";
        const transport = new BunTransport(core, ws, ws.data as PeerInit<unknown>, compressFrom);
        ws.data = transport;
        sockets.set(transport.session.peer, ws);
        transport.open();
      },
      message(ws: BunWebSocket, message: string | Uint8Array) {
        // Bun enforces maxPayloadLength itself: no size check here.
        (ws.data as BunTransport).session.received(message);
      },
      pong(ws: BunWebSocket) {
        (ws.data as BunTransport).session.ponged();
      },
      drain(ws: BunWebSocket) {
        (ws.data as BunTransport).session.flushed();
      },
      close(ws: BunWebSocket, code: number, reason: string) {
        const transport = ws.data as BunTransport;
        sockets.delete(transport.session.peer);
        // Bun reports no wasClean; a close frame from the peer means a clean close.
        transport.finish(code, reason ?? "", code !== 1006);
      },
    },
  });
  // The registry's count: Bun's own walks the topic's subscribers on each call.
  return core.server(server.hostname, server.port, { afterPeers: () => server.stop(true) });
}

// Bun writes Upgrade, Connection and Accept itself; we add the rest.
function upgrade(
  server: BunServer,
  request: Request,
  remoteAddress: string,
  outcome: UpgradeNegotiation<unknown>,
  deflate: ResolvedPerMessageDeflate | false,
): Response | undefined {
  if (!outcome.accepted) return outcome.response;
  const protocol = outcome.acceptance.protocol;
  let headers = outcome.headers;
  if (protocol !== undefined) {
    headers = new Headers(headers);
    headers.set("Sec-WebSocket-Protocol", protocol);
  }
  const init: PeerInit<unknown> = {
    request: requestRebuilder(request.url, request.headers),
    data: outcome.data,
    protocol: protocol ?? "",
    // Bun answers the offer itself and does not tell its parameters: the name is what we know.
    extensions: deflate !== false && offersDeflate(request) ? "permessage-deflate" : "",
    remoteAddress,
  };
  if (server.upgrade(request, { data: init, headers })) return undefined;
  return new Response("Cannot upgrade: Bun refused the upgrade\n", { status: 400 });
}

/**
 * `peer.request` without keeping Bun's Request alive for the connection's
 * life: its URL and headers cost about half as much, and the Request is
 * built from them only if a hook asks. Our validation let only GET through,
 * the default method. A function of its own, so that the closure holds these
 * two and not the upgrade handler's scope (which holds the Request).
 */
function requestRebuilder(url: string, headers: Headers): () => Request {
  return () => new Request(url, { headers });
}

function offersDeflate(request: Request): boolean {
  const offer = request.headers.get("sec-websocket-extensions");
  return offer !== null && offer.includes("permessage-deflate");
}

// uWebSockets' dedicated compressors by window: "3KB" is 9 bits at memLevel
// 1, "4KB" 9 bits, then one size per bit up to "256KB" at 15 bits. The
// shared compressor and decompressor keep no context between messages.
const BUN_COMPRESSORS = ["3KB", "4KB", "8KB", "16KB", "32KB", "64KB", "128KB", "256KB"];

function bunPerMessageDeflate(
  deflate: ResolvedPerMessageDeflate | false,
): false | { compress: string; decompress: string | boolean } {
  if (deflate === false) return false;
  const bits = deflate.serverMaxWindowBits;
  return {
    compress: deflate.serverNoContextTakeover
      ? "shared"
      : BUN_COMPRESSORS[bits === 8 ? 0 : bits - 8],
    decompress: deflate.clientNoContextTakeover ? true : "dedicated",
  };
}
