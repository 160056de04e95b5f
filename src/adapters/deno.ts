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
import type { PeerInit, PeerTransport } from "../api/peer.ts";
import { PeerRegistry } from "../api/peer_registry.ts";
import { PeerSession, type PeerSessionOptions } from "../api/peer_session.ts";
import {
  type ResolvedServerOptions,
  resolveServerOptions,
  type ServerOptions,
} from "../api/server_options.ts";
import { TopicRegistry } from "../api/topics/topic_registry.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";
import { listenDenoTcp } from "../runtime/deno/deno_tcp.ts";
import { serveWithEngine } from "../runtime/serve_with_engine.ts";
import { ProtocolError } from "../errors/protocol_error.ts";
import { utf8ByteLengthExceeds } from "../frame/utf8_byte_length_exceeds.ts";

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
    return serveWithEngine(handler, { ...shared, hostname, port, fetch }, listenDenoTcp);
  }
  const peers = new PeerRegistry();
  const resolved = resolveServerOptions(shared);
  const topics = new TopicRegistry(resolved.topics);
  const upgrade = upgraderWith(handler, resolved, peers, topics);
  const deno = denoRuntime();
  const server = deno.serve(
    { hostname, port, onListen: () => {} },
    (request, info) =>
      request.headers.has("upgrade") || !fetch
        ? upgrade(request, `${info.remoteAddr.hostname}:${info.remoteAddr.port}`)
        : fetch(request),
  );
  return {
    hostname: server.addr.hostname,
    port: server.addr.port,
    url: `http://${server.addr.hostname}:${server.addr.port}`,
    peers,
    publish: (topic, data, options) => topics.publish(topic, data, options),
    subscriberCount: (topic) => topics.subscriberCount(topic),
    async close() {
      const stopped = server.shutdown();
      await peers.shutdown(resolved.shutdownTimeout);
      await stopped;
      await topics.close();
    },
  };
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
  peers: PeerRegistry = new PeerRegistry(),
): (request: Request, remoteAddress?: string) => Response | Promise<Response> {
  const resolved = resolveServerOptions(options);
  return upgraderWith(handler, resolved, peers, new TopicRegistry(resolved.topics));
}

function upgraderWith<Data>(
  handler: Handler<Data>,
  resolved: ResolvedServerOptions,
  peers: PeerRegistry,
  topics: TopicRegistry,
): (request: Request, remoteAddress?: string) => Response | Promise<Response> {
  if (resolved.perMessageDeflate !== false) {
    // Deno.upgradeWebSocket never negotiates an extension: say so at start-up.
    throw new ProtocolError(
      "UNSUPPORTED_ON_RUNTIME",
      'Cannot serve with perMessageDeflate: Deno\'s own WebSocket server cannot compress; use engine: "omnisocket"',
    );
  }
  const shared: SharedState = {
    handler: handler as Handler<unknown>,
    deno: denoRuntime(),
    // Deno pings an idle peer and drops it when no pong comes back.
    upgradeOptions: { idleTimeout: Math.ceil(resolved.heartbeatInterval / 1000) },
    peers,
    sessionOptions: { options: resolved, nativeHeartbeat: true, topics },
    maxMessageSize: resolved.maxMessageSize,
    measureEvery: Math.min(64 * 1024, resolved.backpressureLimit / 2),
  };
  // Without an upgrade hook the negotiation is synchronous, and so is the
  // answer: Deno.serve then sends it without waiting on a promise.
  return (request, remoteAddress = "") => {
    const outcome = negotiateRequestUpgrade(handler, resolved, request, remoteAddress);
    return outcome instanceof Promise
      ? outcome.then((settled) => answerUpgrade(shared, request, remoteAddress, settled))
      : answerUpgrade(shared, request, remoteAddress, outcome);
  };
}

function answerUpgrade(
  shared: SharedState,
  request: Request,
  remoteAddress: string,
  outcome: UpgradeNegotiation<unknown>,
): Response {
  if (!outcome.accepted) return outcome.response;
  // Deno reads a header list from the connection only on demand, and the
  // upgrade closes the request: `peer.request.headers` would then throw
  // "Request closed". has() makes Deno copy the list into the Request now
  // (get() would read one field and copy nothing). Deno keeps this Request
  // for the socket's life anyway; the copy is the whole cost of the API.
  request.headers.has("upgrade");
  const { socket, response } = shared.deno.upgradeWebSocket(request, shared.upgradeOptions);
  // Not passed as upgradeWebSocket's `protocol`: Deno splits the offered
  // list on ", " only, so "a,b" (as the ws client sends it) would throw.
  const protocol = outcome.acceptance.protocol;
  if (protocol !== undefined) response.headers.set("Sec-WebSocket-Protocol", protocol);
  if (outcome.headers) {
    for (const [name, value] of outcome.headers) response.headers.set(name, value);
  }
  new DenoConnection(shared, socket, {
    request,
    data: outcome.data,
    protocol: protocol ?? "",
    extensions: "",
    remoteAddress,
  });
  return response;
}

/** What every connection of one upgrader shares. */
interface SharedState {
  handler: Handler<unknown>;
  deno: DenoRuntime;
  upgradeOptions: { idleTimeout: number };
  peers: PeerRegistry;
  sessionOptions: PeerSessionOptions;
  maxMessageSize: number;
  measureEvery: number;
}

/**
 * One upgraded socket: its transport and its event listener in one object.
 * A connection that sits idle for hours costs this object and the session,
 * not a closure per event and per transport operation.
 */
class DenoConnection implements PeerTransport {
  #shared: SharedState;
  #socket: WebSocket;
  #session: PeerSession<unknown>;
  // Reading bufferedAmount calls into Deno's Rust side. An upper bound of the
  // queue (last reading + bytes sent since) is enough until it could matter,
  // so small sends measure once per `measureEvery` bytes instead of each time.
  #queuedAtMost = 0;
  #drainPoll: ReturnType<typeof setTimeout> | undefined;

  constructor(shared: SharedState, socket: WebSocket, init: PeerInit<unknown>) {
    this.#shared = shared;
    this.#socket = socket;
    this.#session = new PeerSession(shared.handler, this, init, shared.sessionOptions);
    socket.binaryType = "arraybuffer";
    // The object itself listens (handleEvent): no closure per event type.
    socket.addEventListener("open", this);
    socket.addEventListener("message", this);
    // Deno fires `error` for an abrupt disconnect ("Unexpected EOF"): not a
    // failure of ours, and the close event that follows reports it as 1006.
    socket.addEventListener("close", this);
  }

  handleEvent(event: Event): void {
    if (event.type === "message") this.#received((event as MessageEvent).data);
    else if (event.type === "open") this.#opened();
    else if (event.type === "close") {
      const { code, reason, wasClean } = event as CloseEvent;
      this.#finish(code, reason, wasClean);
    }
  }

  send(data: string | Uint8Array): number {
    this.#socket.send(data);
    // A UTF-16 unit takes at most 3 bytes of UTF-8.
    const queued = this.#queuedAtMost += typeof data === "string" ? data.length * 3 : data.length;
    if (queued < this.#shared.measureEvery) return queued;
    return this.#queuedAtMost = this.#socket.bufferedAmount;
  }

  ping(): void {
    throw new ProtocolError(
      "UNSUPPORTED_ON_RUNTIME",
      "Cannot ping: Deno's WebSocket has no ping(); the heartbeat uses Deno's idleTimeout",
    );
  }

  close(code: number, reason: string): void {
    this.#socket.close(code, reason);
  }

  terminate(): void {
    // Deno cannot drop an upgraded socket without a close frame; the peer is
    // reported closed now and Deno finishes the socket in the background.
    this.#socket.close(1001);
    this.#finish(1006, "", false);
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  // Deno fires no drain event: while someone waits, watch bufferedAmount.
  // Only then: a timer per busy socket would cost a busy server several percent.
  watchDrain(): void {
    if (this.#drainPoll !== undefined || this.#socket.readyState !== 1) return;
    this.#drainPoll = setTimeout(() => {
      this.#drainPoll = undefined;
      this.#queuedAtMost = this.#socket.bufferedAmount;
      // Calls watchDrain again while the queue is not empty and someone waits.
      this.#session.flushed();
    }, 5);
  }

  #opened(): void {
    // Fired once: dropping the listener frees its record for the socket's life.
    this.#socket.removeEventListener("open", this);
    this.#shared.peers.add(this.#session.peer);
    this.#session.opened();
  }

  #received(payload: string | ArrayBuffer): void {
    const data = typeof payload === "string" ? payload : new Uint8Array(payload);
    if (exceedsLimit(data, this.#shared.maxMessageSize)) {
      this.#session.failed(
        new ProtocolError("MESSAGE_TOO_BIG", "Cannot receive message: it exceeds maxMessageSize", {
          closeCode: 1009,
        }),
      );
      this.#socket.close(1009, "message too big");
      return;
    }
    this.#session.received(data);
  }

  #finish(code: number, reason: string, wasClean: boolean): void {
    clearTimeout(this.#drainPoll);
    this.#shared.peers.delete(this.#session.peer);
    this.#session.closed(code, reason, wasClean);
  }
}

function exceedsLimit(data: string | Uint8Array, limit: number): boolean {
  return typeof data === "string" ? utf8ByteLengthExceeds(data, limit) : data.length > limit;
}

function denoRuntime(): DenoRuntime {
  const deno = (globalThis as { Deno?: DenoRuntime }).Deno;
  if (!deno) throw new Error("Cannot start the Deno adapter: this runtime is not Deno");
  return deno;
}
