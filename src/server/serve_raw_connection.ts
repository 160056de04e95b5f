/**
 * One raw-socket connection served with the user's handler: our handshake
 * and protocol engine under a Peer. Shared by every adapter that owns the
 * socket (node:net and node:http on Node; Deno.listen and Bun.listen when
 * the omnisocket engine is chosen over the runtime's native one).
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import { negotiateUpgrade, type UpgradeNegotiation } from "../api/negotiate_upgrade.ts";
import type { PeerTransport } from "../api/peer.ts";
import type { ProtocolError } from "../errors/protocol_error.ts";
import type { PeerRegistry } from "../api/peer_registry.ts";
import { PeerSession } from "../api/peer_session.ts";
import type { ResolvedServerOptions } from "../api/server_options.ts";
import type { SharedMessage } from "../api/topics/shared_message.ts";
import type { TopicRegistry } from "../api/topics/topic_registry.ts";
import { buildRejection } from "../handshake/build_responses.ts";
import type { RequestHead } from "../handshake/http_head_parser.ts";
import {
  RawSocketSession,
  type RawSocketSessionEvents,
  type UpgradeVerdict,
} from "./raw_socket_session.ts";
import { serializeResponse } from "./serialize_response.ts";
import { formatExtensions } from "../handshake/parse_extensions.ts";
import { deflateAgreementOf } from "../handshake/negotiate_permessage_deflate.ts";
import type { HandshakeAcceptance } from "../handshake/accept_upgrade.ts";
import type { Extension } from "../protocol/extension.ts";
import { PerMessageDeflate } from "../protocol/per_message_deflate.ts";
import type { TcpConnection, TcpConnectionHandler } from "./tcp_connection.ts";

/**
 * Everything a raw connection needs besides its socket.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface RawConnectionContext {
  handler: Handler<unknown>;
  options: ResolvedServerOptions;
  peers: PeerRegistry;
  /** Answers plain HTTP requests (no `Upgrade` header), one per connection. */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** A faster `Sec-WebSocket-Accept` function than Web Crypto, where the runtime has one. */
  computeAccept?: (key: string) => string | Promise<string>;
  /** Every connection being served, handshaking or open, for shutdown; each removes itself when closed. */
  connections?: Set<TcpConnection>;
  /** The server's topics (publications are written as shared, pre-encoded frames). */
  topics?: TopicRegistry;
}

/**
 * Where the connection's request comes from.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
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
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function serveRawConnection(
  context: RawConnectionContext,
  connection: TcpConnection,
  { scheme = "http", head }: RawConnectionStart = {},
): TcpConnectionHandler {
  const served = new RawPeerConnection(context, connection, scheme);
  if (head) served.session.startWithHead(head);
  return served;
}

// One object per connection plays every part (socket handler, session
// events, the Peer's transport): thousands of idle connections then cost a
// few objects each, not a dozen closures.
class RawPeerConnection implements TcpConnectionHandler, RawSocketSessionEvents, PeerTransport {
  readonly session: RawSocketSession;
  #context: RawConnectionContext;
  #connection: TcpConnection;
  #scheme: "http" | "https";
  #data: unknown;
  // The head was parsed and handed on: negotiateUpgrade counts the handshake (or it is plain HTTP).
  #negotiated = false;
  #extensions = "";
  #peer: PeerSession<unknown> | undefined;
  #request: Request | undefined;

  constructor(context: RawConnectionContext, connection: TcpConnection, scheme: "http" | "https") {
    this.#context = context;
    this.#connection = connection;
    this.#scheme = scheme;
    context.connections?.add(connection);
    // The server's resolved options carry the session's limits (message size,
    // close and handshake timeouts) under the same names: shared, not copied.
    this.session = new RawSocketSession(connection, this, context.options);
  }

  // TcpConnectionHandler: the socket's events.

  data(chunk: Uint8Array): void {
    this.session.receive(chunk);
  }

  drained(): void {
    this.#peer?.flushed();
  }

  closed(): void {
    this.#context.connections?.delete(this.#connection);
    this.session.streamClosed();
  }

  // RawSocketSessionEvents: the handshake and the engine's events.

  negotiate(head: RequestHead): UpgradeVerdict | Promise<UpgradeVerdict> {
    const { handler, options, fetch, computeAccept } = this.#context;
    this.#negotiated = true; // counted by negotiateUpgrade, or not a handshake (plain HTTP)
    if (fetch && !head.headers.has("upgrade")) return this.#answerPlainRequest(fetch, head);
    const outcome = negotiateUpgrade(handler, options, {
      upgradeRequest: {
        method: head.method,
        httpVersion: head.httpVersion,
        headers: head.headers,
        url: head.target,
      },
      request: () => this.#requestOf(head),
      remoteAddress: this.#connection.remoteAddress,
      computeAccept,
    });
    return outcome instanceof Promise
      ? outcome.then((settled) => this.#verdictOf(settled))
      : this.#verdictOf(outcome);
  }

  async #answerPlainRequest(
    fetch: (request: Request) => Response | Promise<Response>,
    head: RequestHead,
  ): Promise<UpgradeVerdict> {
    return {
      accepted: false,
      response: await serializeResponse(await fetch(this.#requestOf(head))),
    };
  }

  #verdictOf(outcome: UpgradeNegotiation<unknown>): UpgradeVerdict | Promise<UpgradeVerdict> {
    if (outcome.accepted) {
      this.#data = outcome.data;
      const { acceptance, headers } = outcome;
      if (acceptance.extensions.length === 0) return { accepted: true, acceptance, headers };
      this.#extensions = formatExtensions(acceptance.extensions);
      return {
        accepted: true,
        acceptance,
        headers,
        extensions: engineExtensions(acceptance, this.#context.options),
      };
    }
    // Our own refusals are prebuilt bytes; a hook's Response has to be read.
    if (outcome.error) return { accepted: false, response: buildRejection(outcome.error) };
    return serializeResponse(outcome.response).then((response) => ({ accepted: false, response }));
  }

  onOpen(): void {
    const { handler, options, peers, topics } = this.#context;
    const peer = new PeerSession(handler, this, {
      request: () => this.#requestOf(this.session.request!),
      data: this.#data,
      protocol: this.session.protocol ?? "",
      extensions: this.#extensions,
      remoteAddress: this.#connection.remoteAddress,
    }, { options, topics });
    this.#data = undefined;
    this.#peer = peer;
    peers.add(peer.peer);
    peer.opened();
  }

  onMessage(data: string | Uint8Array): void {
    this.#peer!.received(data);
  }

  onPong(): void {
    this.#peer!.ponged();
  }

  onError(error: ProtocolError): void {
    const peer = this.#peer;
    // Refused before negotiation (a malformed or slow head): the handshake is counted here.
    if (!this.#negotiated && error.status !== undefined) {
      this.#context.options.metrics?.handshake(error.status);
    }
    peer?.failed(error);
  }

  onClose(code: number, reason: string, wasClean: boolean): void {
    const peer = this.#peer;
    if (peer === undefined) return;
    this.#context.peers.delete(peer.peer);
    peer.closed(code, reason, wasClean);
  }

  // PeerTransport: what the Peer does to the connection.

  send(message: string | Uint8Array, compress?: boolean): number {
    this.session.send(message, compress);
    return this.session.bufferedAmount;
  }

  sendShared(message: SharedMessage): number {
    this.session.sendFrame(message.frame, message.data);
    return this.session.bufferedAmount;
  }

  ping(payload: Uint8Array): void {
    this.session.ping(payload);
  }

  close(code: number, reason: string): void {
    this.session.close(code, reason);
  }

  terminate(): void {
    this.session.terminate();
  }

  get bufferedAmount(): number {
    return this.session.bufferedAmount;
  }

  watchDrain(): void {
    // Bytes still batched in the session (written at the end of this read or
    // tick) are not in the socket yet: watching now would find the socket
    // empty at once and report it again and again (on Node, a nextTick loop
    // that starves the very microtask that writes them). Watch after that write.
    if (this.session.queuedBytes > 0) {
      queueMicrotask(() => this.#connection.watchDrain?.());
    } else {
      this.#connection.watchDrain?.();
    }
  }

  // The Request for hooks and peer.request, built only when someone asks.
  #requestOf(head: RequestHead): Request {
    return this.#request ??= toRequest(head, this.#scheme);
  }
}

// The engine side of what negotiateUpgrade accepted (permessage-deflate only).
function engineExtensions(
  acceptance: HandshakeAcceptance,
  options: RawConnectionContext["options"],
): Extension[] {
  const extensions: Extension[] = [];
  const settings = options.perMessageDeflate;
  const metrics = options.metrics;
  for (const accepted of acceptance.extensions) {
    if (accepted.name !== "permessage-deflate" || settings === false || !options.deflateCodec) {
      continue;
    }
    extensions.push(
      new PerMessageDeflate(options.deflateCodec, deflateAgreementOf(accepted), {
        level: settings.level,
        memLevel: settings.memLevel,
        threshold: settings.threshold,
        maxMessageSize: options.maxMessageSize,
        onDeflate: metrics === undefined ? undefined : (input, output) => {
          metrics.deflated(input, output);
        },
      }),
    );
  }
  return extensions;
}

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
