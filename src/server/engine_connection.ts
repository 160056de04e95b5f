/**
 * One WebSocket server connection over a byte stream, served with our own
 * handshake and protocol engine under a Peer: the opening handshake, then
 * the engine, with the timers the sans-I/O engine leaves to its caller.
 * Shared by every adapter that owns the socket (node:net and node:http on
 * Node; Deno.listen and Bun.listen when the omnisocket engine is chosen).
 *
 * One object per connection plays every part (the stream's handler, the
 * engine's listener, the Peer's transport): a frame goes stream -> engine ->
 * peer session -> handler with no layer that only forwards, and thousands of
 * idle connections cost a few objects each, not a dozen closures.
 *
 * @module
 */

import { negotiateUpgrade, type UpgradeNegotiation } from "../api/negotiate_upgrade.ts";
import type { PeerTransport } from "../api/peer.ts";
import type { PeerSession } from "../api/peer_session.ts";
import type { SharedMessage } from "../api/topics/shared_message.ts";
import { ProtocolError } from "../errors/protocol_error.ts";
import type { HandshakeAcceptance } from "../handshake/accept_upgrade.ts";
import { buildRejection, buildSwitchingProtocols } from "../handshake/build_responses.ts";
import { HttpHeadParser, type RequestHead } from "../handshake/http_head_parser.ts";
import { decodeLatin1, encodeLatin1 } from "../handshake/latin1.ts";
import { deflateAgreementOf } from "../handshake/negotiate_permessage_deflate.ts";
import { formatExtensions } from "../handshake/parse_extensions.ts";
import { requestHeadBytes } from "../handshake/request_head_bytes.ts";
import type { ConnectionListener } from "../protocol/connection_listener.ts";
import type { ConnectionOptions } from "../protocol/connection_options.ts";
import type { Extension } from "../protocol/extension.ts";
import { PerMessageDeflate } from "../protocol/per_message_deflate.ts";
import { WebSocketConnection } from "../protocol/websocket_connection.ts";
import type { ByteStream, ByteStreamHandler } from "./byte_stream.ts";
import { serializeResponse } from "./serialize_response.ts";
import type { ServerCore } from "./server_core.ts";

/**
 * Everything an engine connection needs besides its stream.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineContext {
  /** The server's core: handler, options, peers, topics. */
  core: ServerCore;
  /** Answers plain HTTP requests (no `Upgrade` header), one per connection. */
  fetch?: (request: Request) => Response | Promise<Response>;
  /** A faster `Sec-WebSocket-Accept` function than Web Crypto, where the runtime has one. */
  computeAccept?: (key: string) => string | Promise<string>;
  /** Every connection being served, handshaking or open, for shutdown; each removes itself when closed. */
  connections?: Set<ByteStream>;
}

/**
 * Where the connection's request comes from.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface EngineStart {
  /** "https" when the socket is TLS, for the Request's URL. Default "http". */
  scheme?: "http" | "https";
  /** The request head, when an HTTP server already parsed it (node:http's `upgrade` event). */
  head?: RequestHead;
}

/** The server's verdict on an upgrade request. */
type UpgradeVerdict =
  | {
    accepted: true;
    acceptance: HandshakeAcceptance;
    headers?: Headers;
    extensions?: readonly Extension[];
  }
  | { accepted: false; response: Uint8Array };

const NO_CHUNKS: readonly Uint8Array[] = [];

/**
 * Serves one connection: the returned object is the stream's handler.
 *
 * @example As the accept callback of a listener
 * ```ts ignore
 * listenDenoTcp(address, (stream) => new EngineConnection(context, stream));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class EngineConnection implements ByteStreamHandler, ConnectionListener, PeerTransport {
  #context: EngineContext;
  #stream: ByteStream;
  #scheme: "http" | "https";
  #head: HttpHeadParser | null;
  #engine: WebSocketConnection | null = null;
  #session: PeerSession<unknown> | undefined;
  #data: unknown;
  #protocol = "";
  #extensions = "";
  #request: Request | undefined;
  // The request head in wire form: kept for the life of the connection
  // (`peer.request` parses it again on demand) at a fraction of the parsed
  // size. A one-byte string: no ArrayBuffer, no pinned read chunk.
  #requestText: string | null = null;
  #headStarted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #receiving = false;
  #flushScheduled = false;
  #finished = false;
  // The peer half-closed (FIN) during the handshake.
  #peerEnded = false;
  // Bytes that arrive while the upgrade is being decided; rarely any.
  #pendingBytes: Uint8Array[] | null = null;
  #unflushedBytes = 0;

  /** Starts serving `stream`; the handshake timeout runs from now. */
  constructor(
    context: EngineContext,
    stream: ByteStream,
    { scheme = "http", head }: EngineStart = {},
  ) {
    this.#context = context;
    this.#stream = stream;
    this.#scheme = scheme;
    context.connections?.add(stream);
    const options = context.core.options;
    this.#head = new HttpHeadParser({ kind: "request" });
    this.#timer = setTimeout(
      () =>
        this.#reject(
          new ProtocolError(
            "HANDSHAKE_TIMEOUT",
            "Cannot accept upgrade: the request head did not arrive in time",
            { status: 408 },
          ),
        ),
      options.handshakeTimeout,
    );
    if (head) this.#start(head, null);
  }

  /** `"connecting"` during the handshake, then the engine's state. */
  get state(): "connecting" | "open" | "closing" | "closed" {
    if (this.#finished) return "closed";
    return this.#engine?.state ?? "connecting";
  }

  // ByteStreamHandler: the stream's events.

  /** Bytes read from the stream. */
  data(chunk: Uint8Array): void {
    if (this.#finished) return;
    const engine = this.#engine;
    if (engine === null) {
      if (this.#head === null) {
        // Handshake still being computed (SHA-1 is async): keep the bytes in order.
        (this.#pendingBytes ??= []).push(chunk);
        return;
      }
      this.#receiveHead(chunk);
      return;
    }
    this.#receiving = true;
    try {
      engine.receive(chunk);
    } finally {
      this.#receiving = false;
    }
    this.#flush();
  }

  /** The stream's queue emptied after a backlog. */
  drained(): void {
    this.#session?.flushed();
  }

  /** The stream is gone (peer closed or errored). */
  closed(): void {
    this.#context.connections?.delete(this.#stream);
    if (!this.#finished) this.#finish(1006, "", false);
  }

  /**
   * The peer half-closed. During the handshake, once the request head is
   * in, its answer is still written (then the stream closes): a client may
   * send its request and FIN at once. Otherwise the connection is over.
   */
  ended(): boolean {
    if (this.#finished || this.#engine !== null || this.#requestText === null) return false;
    this.#peerEnded = true;
    return true;
  }

  // ConnectionListener: the engine's events.

  /** A complete message arrived. */
  onMessage(data: string | Uint8Array): void {
    this.#session!.received(data);
  }

  /** A pong arrived. */
  onPong(): void {
    this.#session!.ponged();
  }

  /** A protocol failure, reported before `onClose`. */
  onError(error: ProtocolError): void {
    this.#session?.failed(error);
  }

  /** The engine's close ends the connection. */
  onClose(code: number, reason: string, wasClean: boolean): void {
    this.#finish(code, reason, wasClean);
  }

  // PeerTransport: what the Peer does to the connection.

  /** Queues a message; returns the bytes waiting to leave. */
  send(data: string | Uint8Array, compress?: boolean): number {
    const engine = this.#engine;
    if (engine !== null && !this.#finished) {
      engine.send(data, compress);
      this.#unflushedBytes += data.length;
      this.#scheduleFlush();
    }
    return this.bufferedAmount;
  }

  /**
   * Queues one topic publication: its frame encoded once for every
   * subscriber, or its data through the engine when the connection
   * transforms messages (compression).
   */
  sendShared(message: SharedMessage): number {
    const engine = this.#engine;
    if (engine !== null && !this.#finished) {
      engine.sendFrame(message.frame, message.data);
      this.#unflushedBytes += message.frame.length;
      this.#scheduleFlush();
    }
    return this.bufferedAmount;
  }

  /** Sends a ping. */
  ping(payload?: Uint8Array | string): void {
    if (this.#engine === null || this.#finished) return;
    this.#engine.ping(payload);
    this.#scheduleFlush();
  }

  /** Starts the close handshake; the close timeout ends a peer that never answers. */
  close(code?: number, reason?: string): void {
    if (this.#finished) return;
    if (this.#engine === null) {
      this.#finish(1006, "", false);
      return;
    }
    this.#engine.close(code, reason);
    this.#scheduleFlush();
  }

  /** Ends the stream now, without a close handshake. */
  terminate(): void {
    if (this.#finished) return;
    this.#stream.destroy();
    this.#finish(1006, "", false);
  }

  /**
   * Bytes waiting to leave: those the stream holds plus those batched here
   * until the end of the current read or tick (text counts one byte per
   * UTF-16 unit: close enough for backpressure decisions).
   */
  get bufferedAmount(): number {
    return this.#stream.queuedBytes + this.#unflushedBytes;
  }

  /** Someone waits for the queue to empty. */
  watchDrain(): void {
    // Bytes still batched here (written at the end of this read or tick) are
    // not in the stream yet: watching now would find it empty at once and
    // report it again and again (on Node, a nextTick loop that starves the
    // very microtask that writes them). Watch after that write.
    if (this.#unflushedBytes > 0) queueMicrotask(() => this.#stream.watchDrain?.());
    else this.#stream.watchDrain?.();
  }

  // The handshake.

  #receiveHead(chunk: Uint8Array): void {
    let head: RequestHead | null;
    const firstChunk = !this.#headStarted;
    this.#headStarted = true;
    try {
      head = this.#head!.push(chunk) as RequestHead | null;
    } catch (error) {
      this.#reject(error);
      return;
    }
    if (head === null) return;
    // Nearly always the head arrives in one read: keep a view of those bytes
    // (the chunk is ours to keep) rather than serialize the parsed head again.
    this.#start(head, firstChunk ? chunk.subarray(0, chunk.length - head.rest.length) : null);
  }

  // `wire` is the head as received, when it came in one piece.
  #start(head: RequestHead, wire: Uint8Array | null): void {
    if (this.#finished || this.#requestText !== null) return;
    this.#head = null;
    if (head.rest.length > 0) (this.#pendingBytes ??= []).push(head.rest);
    this.#requestText = decodeLatin1(wire ?? requestHeadBytes(head));
    let verdict: UpgradeVerdict | Promise<UpgradeVerdict>;
    try {
      verdict = this.#negotiate(head);
    } catch (error) {
      this.#reject(error);
      return;
    }
    if (verdict instanceof Promise) {
      verdict.then((settled) => this.#conclude(settled), (error) => this.#reject(error));
    } else {
      this.#conclude(verdict);
    }
  }

  #negotiate(head: RequestHead): UpgradeVerdict | Promise<UpgradeVerdict> {
    const { core, fetch, computeAccept } = this.#context;
    if (fetch && !head.headers.has("upgrade")) return this.#answerPlainRequest(fetch, head);
    const outcome = negotiateUpgrade(core.handler, core.options, {
      upgradeRequest: {
        method: head.method,
        httpVersion: head.httpVersion,
        headers: head.headers,
        url: head.target,
      },
      request: () => this.#requestOf(head),
      remoteAddress: this.#stream.remoteAddress,
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
        extensions: engineExtensions(acceptance, this.#context.core.options),
      };
    }
    // Our own refusals are prebuilt bytes; a hook's Response has to be read.
    if (outcome.error) return { accepted: false, response: buildRejection(outcome.error) };
    return serializeResponse(outcome.response).then((response) => ({ accepted: false, response }));
  }

  #conclude(verdict: UpgradeVerdict): void {
    if (!verdict.accepted) this.#refuse(verdict.response);
    // A client that half-closed during its handshake sends no frames: nothing to open.
    else if (this.#peerEnded) this.#refuse(new Uint8Array(0));
    else this.#open(verdict.acceptance, verdict.headers, verdict.extensions);
  }

  #open(
    acceptance: HandshakeAcceptance,
    extraHeaders?: Headers,
    extensions?: readonly Extension[],
  ): void {
    if (this.#finished) return;
    let switching: Uint8Array;
    try {
      switching = buildSwitchingProtocols(acceptance, extraHeaders);
    } catch (error) {
      // The hook's extra headers named a field of the handshake itself (500):
      // answered like any failed upgrade, before anything was sent.
      this.#reject(error);
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#protocol = acceptance.protocol ?? "";
    const { core } = this.#context;
    const shared = connectionOptions(core.options);
    this.#engine = new WebSocketConnection(
      this,
      extensions === undefined || extensions.length === 0 ? shared : { ...shared, extensions },
    );
    this.#stream.write([switching]);
    const session = core.session(this, {
      request: () => this.#requestOf(this.#parsedRequest()),
      data: this.#data,
      protocol: this.#protocol,
      extensions: this.#extensions,
      remoteAddress: this.#stream.remoteAddress,
    });
    this.#data = undefined;
    this.#session = session;
    core.opened(session);
    const early = this.#pendingBytes;
    this.#pendingBytes = null;
    if (early !== null) { for (const bytes of early) this.data(bytes); }
    this.#flush();
  }

  #refuse(response: Uint8Array): void {
    if (this.#finished) return;
    this.#writeAndClose([response]);
    this.#finish(1006, "", false);
  }

  #reject(error: unknown): void {
    if (this.#finished) return;
    const rejection = error instanceof ProtocolError ? error : new ProtocolError(
      "INTERNAL_ERROR",
      "Cannot accept upgrade: internal error",
      { status: 500, cause: error },
    );
    this.#refuse(buildRejection(rejection));
  }

  // Writing.

  #scheduleFlush(): void {
    // Inside data() the flush at its end picks this up; elsewhere, batch the tick.
    if (this.#receiving || this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const engine = this.#engine;
    if (engine === null) return;
    this.#unflushedBytes = 0;
    if (engine.shouldCloseTransport) {
      this.#writeAndClose(engine.hasOutput ? engine.takeOutput() : NO_CHUNKS);
      return;
    }
    if (engine.hasOutput) this.#stream.write(engine.takeOutput());
    if (engine.closeSent && this.#timer === undefined && !this.#finished) {
      // Our close is out; a peer that never answers is cut off.
      this.#timer = setTimeout(() => this.terminate(), this.#context.core.options.closeTimeout);
    }
  }

  #finish(code: number, reason: string, wasClean: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // A failure queues a close frame right before finishing: it must still leave.
    const engine = this.#engine;
    const output = engine?.hasOutput ? engine.takeOutput() : NO_CHUNKS;
    if (engine === null || engine.shouldCloseTransport) this.#writeAndClose(output);
    else if (output.length > 0) this.#stream.write(output);
    const session = this.#session;
    if (session !== undefined) this.#context.core.closed(session, code, reason, wasClean);
  }

  #writeAndClose(chunks: readonly Uint8Array[]): void {
    const stream = this.#stream;
    if (stream.closeWith) {
      stream.closeWith(chunks);
      return;
    }
    if (chunks.length > 0) stream.write(chunks);
    stream.close();
  }

  // The upgrade request (`rest` empty, names lower-cased), parsed again from its wire form.
  #parsedRequest(): RequestHead {
    const bytes = encodeLatin1(this.#requestText!);
    const parser = new HttpHeadParser({
      kind: "request",
      maxHeadSize: bytes.length,
      maxHeaderCount: Number.MAX_SAFE_INTEGER,
      maxLineLength: bytes.length,
    });
    return parser.push(bytes) as RequestHead;
  }

  // The Request for hooks and peer.request, built only when someone asks.
  #requestOf(head: RequestHead): Request {
    return this.#request ??= toRequest(head, this.#scheme);
  }
}

// The engine's options, derived once per options object (a server shares one
// across its connections).
const engineOptions = new WeakMap<object, ConnectionOptions>();

function connectionOptions(options: ServerCore["options"]): ConnectionOptions {
  let derived = engineOptions.get(options);
  if (derived === undefined) {
    derived = { ...options, role: "server" };
    engineOptions.set(options, derived);
  }
  return derived;
}

// The engine side of what negotiateUpgrade accepted (permessage-deflate only).
function engineExtensions(
  acceptance: HandshakeAcceptance,
  options: ServerCore["options"],
): Extension[] {
  const extensions: Extension[] = [];
  const settings = options.perMessageDeflate;
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
