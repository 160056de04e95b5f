/**
 * `Deno.upgradeWebSocket` glue of the Deno adapter: the upgrade of one
 * request over a server core (our validation first: Deno upgrades requests
 * that RFC 6455 refuses), each socket under a {@linkcode DenoTransport}.
 *
 * @module
 */

import { negotiateRequestUpgrade, type UpgradeNegotiation } from "../../api/negotiate_upgrade.ts";
import { ProtocolError } from "../../errors/protocol_error.ts";
import type { ServerCore } from "../../server/server_core.ts";
import { DenoTransport } from "./deno_transport.ts";

/**
 * The parts of Deno's API the adapter uses, typed locally so the npm build needs no Deno types.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface DenoRuntime {
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

/**
 * A function that answers one upgrade request with Deno's own WebSocket server.
 *
 * @example
 * ```ts ignore
 * const upgrade = denoUpgrader(core);
 * Deno.serve((request) => upgrade(request));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function denoUpgrader(
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

/**
 * Deno's global, or a clear error on another runtime.
 *
 * @example
 * ```ts ignore
 * denoRuntime().serve({ port: 0 }, handler);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function denoRuntime(): DenoRuntime {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (!deno) throw new Error("Cannot start the Deno adapter: this runtime is not Deno");
  return deno;
}
