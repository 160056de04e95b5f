/**
 * The upgrade of a plain Worker (`createWorkerFetch`): a `WebSocketPair`, our
 * answer to the client's permessage-deflate offer, and the server socket
 * under a {@linkcode WorkerdTransport}.
 *
 * @module
 */

import type { UpgradeNegotiation } from "../../api/negotiate_upgrade.ts";
import type { ResolvedPerMessageDeflate } from "../../api/per_message_deflate_options.ts";
import type { PeerInit } from "../../api/peer.ts";
import { negotiatePerMessageDeflate } from "../../handshake/negotiate_permessage_deflate.ts";
import { formatExtensions, parseExtensions } from "../../handshake/parse_extensions.ts";
import type { ServerCore } from "../../server/server_core.ts";
import { WorkerdTransport } from "./workerd_transport.ts";
import { webSocketPair } from "./workerd_web_socket.ts";

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
 * Answers an accepted upgrade in a Worker with its 101 and opens the peer.
 *
 * @example
 * ```ts ignore
 * if (outcome.accepted) return upgradeInWorker(core, request, outcome, remoteAddress);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function upgradeInWorker(
  core: ServerCore,
  request: Request,
  outcome: UpgradeNegotiation<unknown> & { accepted: true },
  remoteAddress: string,
): Response {
  const resolved = core.options;
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
