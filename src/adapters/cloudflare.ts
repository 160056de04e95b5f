/**
 * omnisocket on Cloudflare Workers (workerd): a worker `fetch` handler that
 * upgrades with `WebSocketPair`.
 *
 * workerd answers a 101 for requests RFC 6455 refuses (a malformed
 * `Sec-WebSocket-Key`, no `Connection: Upgrade`, HTTP/1.0), so every upgrade
 * passes our handshake validation before a pair is created. Where workerd
 * differs from the other runtimes:
 *
 * - No server-side ping: workerd answers the client's pings itself and never
 *   sends its own, so `heartbeatInterval` has no effect here and
 *   `peer.ping()` throws `UNSUPPORTED_ON_RUNTIME`.
 * - No drain event: `bufferedAmount` (where the workerd build has it; 0
 *   otherwise) is polled while a peer owes a `drain`, as on Deno.
 * - No way to drop a socket without a close frame: `peer.terminate()` sends
 *   close 1001 and reports the peer closed (1006) at once, as on Deno.
 * - The answer to the client's close frame is ours: the socket is accepted
 *   half-open, so `web_socket_auto_reply_to_close` (on from compatibility
 *   date 2026-04-07) cannot echo a forbidden code. A code RFC 6455 forbids on
 *   the wire, or a reason that makes the frame longer than 125 bytes, is
 *   answered with 1002. workerd cannot show more: it reports a 1-byte close
 *   payload and a wire 1005 as an empty close (1005), and decodes text and
 *   close reasons with U+FFFD for invalid UTF-8, so 1007 is never sent here.
 * - Binary messages are read as ArrayBuffer whatever the compatibility date
 *   (`websocket_standard_binary_type`, on from 2026-03-17, makes them Blobs).
 * - workerd refuses messages over 32 MiB itself (close 1009); below that,
 *   `maxMessageSize` is checked on each message as it arrives (decompressed)
 *   and a larger one closes with 1009.
 * - workerd negotiates permessage-deflate on its own (compatibility date
 *   2023-08-15 and later) and does not tell the worker: `peer.extensions` is "".
 * - The client's address is the `CF-Connecting-IP` header, which Cloudflare's
 *   edge sets: an IP without a port. Under local workerd nothing sets it, so
 *   it is whatever the client sent (or "").
 * - `closeTimeout`, `handshakeTimeout` and `shutdownTimeout` belong to the
 *   runtime there: it owns the HTTP connection and the worker's lifetime.
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import { negotiateRequestUpgrade } from "../api/negotiate_upgrade.ts";
import type { ServerOptions } from "../api/server_options.ts";
import { upgradeInWorker } from "../runtime/workerd/worker_upgrade.ts";
import { upgradeRequired } from "../runtime/workerd/workerd_web_socket.ts";
import { ServerCore } from "../server/server_core.ts";

/** A worker's fetch handler: `request`, then the bindings (`env`) and the execution context. */
export type WorkerFetch = (request: Request, env: unknown, ctx: unknown) => Promise<Response>;

/** Options of the Cloudflare adapter: the shared {@linkcode ServerOptions} plus a plain-HTTP handler. */
export interface WorkerFetchOptions extends ServerOptions {
  /** Answers requests that are not WebSocket upgrades (no `Upgrade` header). Default: 426. */
  fetch?: (request: Request, env: unknown, ctx: unknown) => Response | Promise<Response>;
}

/**
 * Turns `handler` into a worker's fetch handler: upgrade requests become
 * WebSocket connections driven by the handler's hooks, other requests go to
 * `options.fetch` (or get 426).
 *
 * @example examples/echo_worker.ts
 * ```ts ignore
 * import { createWorkerFetch } from "@omnisocket/core/cloudflare";
 *
 * export default {
 *   fetch: createWorkerFetch({ message: (peer, message) => peer.send(message.data) }, {
 *     fetch: () => new Response("WebSocket echo: connect with ws://"),
 *   }),
 * };
 * ```
 */
export function createWorkerFetch<Data = undefined>(
  handler: Handler<Data>,
  options: WorkerFetchOptions = {},
): WorkerFetch {
  const { fetch, ...shared } = options;
  // A plain Worker has no topics: a Durable Object is needed for them.
  const core = new ServerCore(handler as Handler<unknown>, shared, true, { topics: false });
  const resolved = core.options;
  return async (request, env, ctx) => {
    if (!request.headers.has("upgrade")) {
      return fetch ? await fetch(request, env, ctx) : upgradeRequired();
    }
    const remoteAddress = request.headers.get("cf-connecting-ip") ?? "";
    const outcome = await negotiateRequestUpgrade(handler, resolved, request, remoteAddress);
    if (!outcome.accepted) return outcome.response;
    return upgradeInWorker(core, request, outcome, remoteAddress);
  };
}
