/**
 * One raw-socket connection served with the user's handler: our handshake
 * and protocol engine under a Peer. Shared by every adapter that owns the
 * socket (node:net and node:http on Node; Deno.listen and Bun.listen when
 * the omnisocket engine is chosen over the runtime's native one).
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import { negotiateUpgrade } from "../api/negotiate_upgrade.ts";
import type { PeerTransport } from "../api/peer.ts";
import type { PeerRegistry } from "../api/peer_registry.ts";
import { PeerSession } from "../api/peer_session.ts";
import type { ResolvedServerOptions } from "../api/server_options.ts";
import { buildRejection } from "../handshake/build_responses.ts";
import type { RequestHead } from "../handshake/http_head_parser.ts";
import { RawSocketSession } from "./raw_socket_session.ts";
import { serializeResponse } from "./serialize_response.ts";
import type { TcpConnection, TcpConnectionHandler } from "./tcp_connection.ts";

/** Everything a raw connection needs besides its socket. */
export interface RawConnectionContext {
  handler: Handler<unknown>;
  options: ResolvedServerOptions;
  peers: PeerRegistry;
  /** Answers plain HTTP requests (no `Upgrade` header), one per connection. */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** A faster `Sec-WebSocket-Accept` function than Web Crypto, where the runtime has one. */
  computeAccept?: (key: string) => string | Promise<string>;
}

/** Where the connection's request comes from. */
export interface RawConnectionStart {
  /** "https" when the socket is TLS, for the Request's URL. Default "http". */
  scheme?: "http" | "https";
  /** The request head, when an HTTP server already parsed it (node:http's `upgrade` event). */
  head?: RequestHead;
}

/**
 * Serves one connection and returns the handler for its socket's events.
 *
 * @example As the accept callback of a raw TCP listener
 * ```ts ignore
 * listenDenoTcp(address, (connection) => serveRawConnection(context, connection));
 * ```
 */
export function serveRawConnection(
  context: RawConnectionContext,
  connection: TcpConnection,
  { scheme = "http", head }: RawConnectionStart = {},
): TcpConnectionHandler {
  const { handler, options, peers, fetch, computeAccept } = context;
  let data: unknown;
  let peer: PeerSession<unknown> | undefined;
  let request: Request | undefined;
  const requestOf = (head: RequestHead) => (request ??= toRequest(head, scheme));

  const session = new RawSocketSession(connection, {
    async negotiate(_, head) {
      if (fetch && !head.headers.has("upgrade")) {
        return { accepted: false, response: await serializeResponse(await fetch(requestOf(head))) };
      }
      const outcome = await negotiateUpgrade(handler, options, {
        upgradeRequest: {
          method: head.method,
          httpVersion: head.httpVersion,
          headers: head.headers,
          url: head.target,
        },
        request: () => requestOf(head),
        remoteAddress: connection.remoteAddress,
        computeAccept,
      });
      if (!outcome.accepted) {
        const response = outcome.error
          ? buildRejection(outcome.error)
          : await serializeResponse(outcome.response);
        return { accepted: false, response };
      }
      data = outcome.data;
      return { accepted: true, acceptance: outcome.acceptance, headers: outcome.headers };
    },
    open(session) {
      const peerTransport: PeerTransport = {
        send(message) {
          session.send(message);
          return connection.queuedBytes + session.queuedBytes;
        },
        ping: (payload) => session.ping(payload),
        close: (code, reason) => session.close(code, reason),
        terminate: () => session.terminate(),
        get bufferedAmount() {
          return connection.queuedBytes + session.queuedBytes;
        },
      };
      peer = new PeerSession(handler, peerTransport, {
        request: () => requestOf(session.request!),
        data,
        protocol: session.protocol ?? "",
        extensions: "",
        remoteAddress: connection.remoteAddress,
      }, { options });
      peers.add(peer.peer);
      peer.opened();
    },
    message: (_, message) => peer!.received(message),
    pong: () => peer!.ponged(),
    error: (_, error) => peer?.failed(error),
    close(_, code, reason, wasClean) {
      if (peer === undefined) return;
      peers.delete(peer.peer);
      peer.closed(code, reason, wasClean);
    },
  }, {
    maxMessageSize: options.maxMessageSize,
    closeTimeout: options.closeTimeout,
    handshakeTimeout: options.handshakeTimeout,
  });

  if (head) session.startWithHead(head);
  return {
    data: (chunk) => session.receive(chunk),
    drained: () => peer?.flushed(),
    closed: () => session.streamClosed(),
  };
}

// The Request for hooks and peer.request, built only when someone asks.
function toRequest(head: RequestHead, scheme: "http" | "https"): Request {
  const host = head.headers.get("host") ?? "localhost";
  let url: string;
  try {
    url = new URL(head.target, `${scheme}://${host}`).href;
  } catch {
    url = new URL(head.target.startsWith("/") ? head.target : "/", `${scheme}://localhost`).href;
  }
  return new Request(url, { method: head.method, headers: head.headers.toHeaders() });
}
