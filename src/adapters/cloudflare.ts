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

import type { ResolvedPerMessageDeflate } from "../api/per_message_deflate_options.ts";
import { negotiatePerMessageDeflate } from "../handshake/negotiate_permessage_deflate.ts";
import { formatExtensions, parseExtensions } from "../handshake/parse_extensions.ts";
import type { Handler } from "../api/handler.ts";
import { negotiateRequestUpgrade } from "../api/negotiate_upgrade.ts";
import type { PeerInit } from "../api/peer.ts";
import type { ServerOptions } from "../api/server_options.ts";
import { upgradeRequired, webSocketPair } from "../runtime/workerd/workerd_web_socket.ts";
import { WorkerdTransport } from "../runtime/workerd/workerd_transport.ts";
import { ServerCore } from "../server/server_core.ts";

/** A worker's fetch handler: `request`, then the bindings (`env`) and the execution context. */
export type WorkerFetch = (request: Request, env: unknown, ctx: unknown) => Promise<Response>;

/** Options of the Cloudflare adapter: the shared {@linkcode ServerOptions} plus a plain-HTTP handler. */
export interface WorkerFetchOptions extends ServerOptions {
  /** Answers requests that are not WebSocket upgrades (no `Upgrade` header). Default: 426. */
  fetch?: (request: Request, env: unknown, ctx: unknown) => Response | Promise<Response>;
}

/** The parts of workerd's WebSocket this adapter uses, typed locally: no workers-types needed. */
interface WorkerWebSocket {
  readonly readyState: number;
  readonly bufferedAmount?: number;
  binaryType?: string;
  accept(options?: { allowHalfOpen?: boolean }): void;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "message",
    listener: (event: { data: string | ArrayBuffer }) => void,
  ): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string; wasClean: boolean }) => void,
  ): void;
  addEventListener(
    type: "error",
    listener: (event: { message?: string; error?: unknown }) => void,
  ): void;
}

type WebSocketPairOf = { 0: WorkerWebSocket; 1: WorkerWebSocket };

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
    const protocol = outcome.acceptance.protocol;
    const extensions = deflateAnswer(request, resolved.perMessageDeflate);
    const pair = new (webSocketPair<WebSocketPairOf>("the cloudflare adapter"))();
    const client = pair[0];
    const server = pair[1];
    // Half-open: workerd leaves the answer to the client's close frame to us
    // even where `web_socket_auto_reply_to_close` is on.
    server.accept({ allowHalfOpen: true });
    // A Blob could only be read asynchronously, which would reorder messages.
    server.binaryType = "arraybuffer";
    const transport = attach(core, server, {
      request,
      data: outcome.data,
      protocol: protocol ?? "",
      extensions,
      remoteAddress,
    });
    // workerd writes the handshake's own fields; only the hook's extras and the protocol are ours.
    const headers = new Headers(outcome.headers);
    if (protocol !== undefined) headers.set("Sec-WebSocket-Protocol", protocol);
    // From compatibility date 2023-08-15 workerd compresses whatever the
    // client offers unless the response names the extensions itself: then
    // our answer (and its parameters) is what workerd applies. An empty
    // value is dropped before workerd looks, so refusing takes the
    // `no_web_socket_compression` compatibility flag (README).
    if (extensions !== "") headers.set("Sec-WebSocket-Extensions", extensions);
    const init: ResponseInit & { webSocket: WorkerWebSocket } = {
      status: 101,
      headers,
      webSocket: client,
    };
    const response = new Response(null, init);
    transport.open();
    return response;
  };
}

// Our answer to the client's permessage-deflate offers, "" when off or none can be honoured.
function deflateAnswer(request: Request, deflate: ResolvedPerMessageDeflate | false): string {
  const offer = request.headers.get("sec-websocket-extensions");
  if (deflate === false || offer === null) return "";
  try {
    const accepted = negotiatePerMessageDeflate(parseExtensions(offer), deflate);
    return accepted === null ? "" : formatExtensions([accepted.response]);
  } catch {
    return "";
  }
}

function attach(
  core: ServerCore,
  socket: WorkerWebSocket,
  init: PeerInit<unknown>,
): WorkerdTransport {
  const transport = new WorkerdTransport(core, socket, init, "Cloudflare Workers");
  socket.addEventListener("message", (event) => {
    transport.receive(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
  });
  socket.addEventListener("close", (event) => {
    transport.closeEvent(event.code, event.reason, event.wasClean, socket.readyState !== 3);
  });
  socket.addEventListener("error", (event) => {
    // workerd reports "Network connection lost." after some clean closes: an
    // error on a connection that is already over tells the application nothing.
    if (transport.session.peer.readyState === 3) return;
    const cause = event.error;
    const error = cause instanceof Error ? cause : new Error(event.message || "WebSocket error");
    transport.session.failed(error);
  });
  return transport;
}
