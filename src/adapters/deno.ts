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
import { negotiateRequestUpgrade, type UpgradeNegotiation } from "../api/negotiate_upgrade.ts";
import type { PeerRegistry } from "../api/peer_registry.ts";
import type { ServerOptions } from "../api/server_options.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { ProtocolError } from "../errors/protocol_error.ts";
import { DenoTransport } from "../runtime/deno/deno_transport.ts";
import { listenDenoTcp } from "../runtime/deno/deno_tcp.ts";
import { nodeEngineRuntime } from "../runtime/node_engine_runtime.ts";
import { serveWithEngine } from "../server/engine_server.ts";
import { ServerCore } from "../server/server_core.ts";

/** The parts of Deno's API this adapter uses, typed locally so the npm build needs no Deno types. */
interface DenoRuntime {
  serve(
    options: {
      hostname?: string;
      port?: number;
      onListen?: (addr: unknown) => void;
      signal?: AbortSignal;
    },
    handler: (
      request: Request,
      info: { remoteAddr: { hostname: string; port: number } },
    ) => Response | Promise<Response>,
  ): {
    addr: { hostname: string; port: number };
    shutdown(): Promise<void>;
    finished: Promise<void>;
  };
  upgradeWebSocket(
    request: Request,
    options: { protocol?: string; idleTimeout?: number },
  ): { socket: WebSocket; response: Response };
}

/** Options of the Deno adapter: the shared {@linkcode ServerOptions} plus where to listen. */
export interface DenoServeOptions extends ServerOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to listen on. Default "127.0.0.1". */
  hostname?: string;
  /**
   * `"native"` (default) upgrades through Deno's own WebSocket server.
   * `"omnisocket"` serves raw TCP with omnisocket's protocol engine instead:
   * the strict RFC 6455 behaviour of the Node adapter (our conformance suite
   * passes in full), where Deno's native server deviates (README, capabilities).
   */
  engine?: "native" | "omnisocket";
  /** Answers requests that are not WebSocket upgrades (no `Upgrade` header). Default: 426. */
  fetch?: (request: Request) => Response | Promise<Response>;
}

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
  const { port = 8080, hostname = "127.0.0.1", fetch, engine = "native", ...shared } = options;
  if (engine === "omnisocket") {
    return serveWithEngine(
      handler,
      { ...shared, hostname, port, fetch },
      listenDenoTcp,
      nodeEngineRuntime,
    );
  }
  const core = new ServerCore(handler as Handler<unknown>, shared, true);
  const upgrade = upgraderOf(core);
  const server = denoRuntime().serve(
    { hostname, port, onListen: () => {} },
    (request, info) =>
      request.headers.has("upgrade") || !fetch
        ? upgrade(request, `${info.remoteAddr.hostname}:${info.remoteAddr.port}`)
        : fetch(request),
  );
  return core.server(server.addr.hostname, server.addr.port, {
    stopAccepting: () => server.shutdown(),
  });
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
  return upgraderOf(new ServerCore(handler as Handler<unknown>, options, true, { peers }));
}

function upgraderOf(
  core: ServerCore,
): (request: Request, remoteAddress?: string) => Response | Promise<Response> {
  if (core.options.perMessageDeflate !== false) {
    // Deno.upgradeWebSocket never negotiates an extension: say so at start-up.
    throw new ProtocolError(
      "UNSUPPORTED_ON_RUNTIME",
      'Cannot serve with perMessageDeflate: Deno\'s own WebSocket server cannot compress; use engine: "omnisocket"',
    );
  }
  const deno = denoRuntime();
  // Deno pings an idle peer and drops it when no pong comes back.
  const upgradeOptions = { idleTimeout: Math.ceil(core.options.heartbeatInterval / 1000) };
  const measureEvery = Math.min(64 * 1024, core.options.backpressureLimit / 2);
  const answer = (
    request: Request,
    remoteAddress: string,
    outcome: UpgradeNegotiation<unknown>,
  ) => {
    if (!outcome.accepted) return outcome.response;
    // Deno reads a header list from the connection only on demand, and the
    // upgrade closes the request: `peer.request.headers` would then throw
    // "Request closed". has() makes Deno copy the list into the Request now.
    request.headers.has("upgrade");
    const { socket, response } = deno.upgradeWebSocket(request, upgradeOptions);
    // Not passed as upgradeWebSocket's `protocol`: Deno splits the offered
    // list on ", " only, so "a,b" (as the ws client sends it) would throw.
    const protocol = outcome.acceptance.protocol;
    if (protocol !== undefined) response.headers.set("Sec-WebSocket-Protocol", protocol);
    if (outcome.headers) {
      for (const [name, value] of outcome.headers) response.headers.set(name, value);
    }
    const init = {
      request,
      data: outcome.data,
      protocol: protocol ?? "",
      extensions: "",
      remoteAddress,
    };
    new DenoTransport(core, socket, init, measureEvery);
    return response;
  };
  // Without an upgrade hook the negotiation is synchronous, and so is the
  // answer: Deno.serve then sends it without waiting on a promise.
  return (request, remoteAddress = "") => {
    const outcome = negotiateRequestUpgrade(core.handler, core.options, request, remoteAddress);
    return outcome instanceof Promise
      ? outcome.then((settled) => answer(request, remoteAddress, settled))
      : answer(request, remoteAddress, outcome);
  };
}

function denoRuntime(): DenoRuntime {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (!deno) throw new Error("Cannot start the Deno adapter: this runtime is not Deno");
  return deno;
}
