/**
 * `Bun.serve` glue of the Bun adapter: the upgrade (Bun writes the
 * handshake's own fields), the `websocket` handler object over the server
 * core, and the mapping of our options onto Bun's (permessage-deflate's
 * compressors, idleTimeout, backpressureLimit).
 *
 * @module
 */

import type { ResolvedPerMessageDeflate } from "../../api/per_message_deflate_options.ts";
import type { UpgradeNegotiation } from "../../api/negotiate_upgrade.ts";
import type { PeerInit } from "../../api/peer.ts";
import type { MemberPeer } from "../../api/topics/topic_member.ts";
import type { ServerCore } from "../../server/server_core.ts";
import type { BunTopicServer } from "./bun_native_topics.ts";
import { BunTransport, type BunWebSocket } from "./bun_transport.ts";

/**
 * The parts of Bun's Server the adapter uses.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface BunServer extends BunTopicServer {
  readonly hostname: string;
  readonly port: number;
  upgrade(request: Request, options: { data: unknown; headers?: Headers }): boolean;
  requestIP(request: Request): { address: string; port: number } | null;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/**
 * The parts of Bun's global the adapter uses.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface BunRuntime {
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

// Bun's idleTimeout is in seconds and capped at 960.
const BUN_MAX_IDLE_TIMEOUT = 960;

/**
 * Bun's `websocket` handler object for a server core: our options mapped
 * onto Bun's, and each socket's events handed to its {@linkcode BunTransport}.
 * `sockets` maps each open peer to its socket (for topics on Bun's pub/sub).
 *
 * @example
 * ```ts ignore
 * Bun.serve({ fetch, websocket: bunWebSocketHandler(core, sockets) });
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function bunWebSocketHandler(
  core: ServerCore,
  sockets: Map<MemberPeer, BunWebSocket>,
): Record<string, unknown> {
  const resolved = core.options;
  const heartbeatSeconds = Math.min(
    Math.ceil(resolved.heartbeatInterval / 1000),
    BUN_MAX_IDLE_TIMEOUT,
  );
  // Bun compresses only when send() asks: the threshold is applied here.
  const deflate = resolved.perMessageDeflate;
  const compressFrom = deflate === false ? Infinity : deflate.threshold;
  return {
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
  };
}

/**
 * Answers an upgrade request with Bun: our refusal, or `server.upgrade` with
 * the headers Bun does not write itself (undefined once upgraded).
 *
 * @example
 * ```ts ignore
 * return upgradeWithBun(server, request, remoteAddress, outcome, core.options.perMessageDeflate);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function upgradeWithBun(
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
