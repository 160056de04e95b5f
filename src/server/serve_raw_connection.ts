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
import { type ByteStream, RawSocketSession } from "./raw_socket_session.ts";
import { serializeResponse } from "./serialize_response.ts";

/** A socket as the adapters see it: bytes out, how many are still queued. */
export interface RawTransport extends ByteStream {
  /** Bytes handed to `write` that the runtime has not sent yet. */
  readonly queuedBytes: number;
  /** "ip:port" of the client. */
  readonly remoteAddress: string;
  /** "https" when the socket is TLS, for the Request's URL. */
  readonly scheme: "http" | "https";
}

/** The callbacks an adapter wires to its socket's events. */
export interface RawConnectionEvents {
  /** Bytes arrived; the chunk becomes the engine's (it may unmask in place). */
  data(chunk: Uint8Array): void;
  /** The runtime's write queue emptied. */
  drained(): void;
  /** The socket is gone. */
  closed(): void;
}

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

/**
 * Serves one connection and returns the callbacks for the socket's events.
 * Pass `head` when an HTTP server already parsed the request (node:http's
 * `upgrade` event).
 *
 * @example Over node:net
 * ```ts ignore
 * const events = serveRawConnection(context, transport);
 * socket.on("data", events.data);
 * socket.on("drain", events.drained);
 * socket.on("close", events.closed);
 * ```
 */
export function serveRawConnection(
  context: RawConnectionContext,
  transport: RawTransport,
  head?: RequestHead,
): RawConnectionEvents {
  const { handler, options, peers, fetch, computeAccept } = context;
  let data: unknown;
  let peer: PeerSession<unknown> | undefined;
  let request: Request | undefined;
  const requestOf = (head: RequestHead) => (request ??= toRequest(head, transport.scheme));

  const session = new RawSocketSession(transport, {
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
        remoteAddress: transport.remoteAddress,
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
          return transport.queuedBytes + session.queuedBytes;
        },
        ping: (payload) => session.ping(payload),
        close: (code, reason) => session.close(code, reason),
        terminate: () => session.terminate(),
        get bufferedAmount() {
          return transport.queuedBytes + session.queuedBytes;
        },
      };
      peer = new PeerSession(handler, peerTransport, {
        request: () => requestOf(session.request!),
        data,
        protocol: session.protocol ?? "",
        extensions: "",
        remoteAddress: transport.remoteAddress,
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
