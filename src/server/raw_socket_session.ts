/**
 * One WebSocket server connection over a raw byte stream: the opening
 * handshake, then the protocol engine, with the timers the sans-I/O engine
 * leaves to its caller. Transport-agnostic, so the same code serves
 * `node:net`, `Deno.Conn`, `Bun.listen` and any other socket that moves bytes.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { acceptUpgradeNow, type HandshakeOptions } from "../handshake/accept_upgrade.ts";
import { buildRejection, buildSwitchingProtocols } from "../handshake/build_responses.ts";
import { HttpHeadParser, type RequestHead } from "../handshake/http_head_parser.ts";
import type { HandshakeAcceptance } from "../handshake/accept_upgrade.ts";
import { decodeLatin1, encodeLatin1 } from "../handshake/latin1.ts";
import { requestHeadBytes } from "../handshake/request_head_bytes.ts";
import type { Extension } from "../protocol/extension.ts";
import type { SharedOutgoingMessage } from "../protocol/shared_outgoing_message.ts";
import {
  type ConnectionListener,
  type ConnectionOptions,
  WebSocketConnection,
} from "../protocol/websocket_connection.ts";

/**
 * The byte stream under a session: what a TCP socket offers.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ByteStream {
  /** Sends the chunks, in order, ideally in one write (writev). */
  write(chunks: readonly Uint8Array[]): void;
  /** Closes the stream after pending writes. */
  close(): void;
  /** Drops the stream now, pending writes and all; `close()` is used where absent. */
  destroy?(): void;
  /**
   * Sends the last chunks and closes, like `write` then `close`, but may put
   * both off until the read under way is over: a client that sends its close
   * frame and resets at once is then seen gone before its reply is written,
   * and a write that could only fail is skipped. `write` + `close` where absent.
   */
  closeWith?(chunks: readonly Uint8Array[]): void;
  /** Bytes accepted by `write` and not yet sent, where the stream tells (counted in `bufferedAmount`). */
  readonly queuedBytes?: number;
}

/**
 * The server's verdict on an upgrade request, as the session needs it.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export type UpgradeVerdict =
  | {
    accepted: true;
    acceptance: HandshakeAcceptance;
    headers?: Headers;
    /** The negotiated extensions' engine side, one per accepted extension. */
    extensions?: readonly Extension[];
  }
  | { accepted: false; response: Uint8Array };

/**
 * What a session reports to the code that owns it, and how it decides
 * upgrades. Methods are called on the object (`this` is the events object),
 * so one class instance can serve a connection without a closure per event.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface RawSocketSessionEvents {
  /**
   * Decides an upgrade request whose head has arrived. By default the
   * request is accepted when valid ({@linkcode acceptUpgradeNow} with the
   * session's options) and refused with the matching 4xx otherwise. A plain
   * value (not a promise) opens or refuses the connection at once, within
   * the read that completed the head.
   */
  negotiate?(head: RequestHead): UpgradeVerdict | Promise<UpgradeVerdict>;
  /** The 101 is sent and the connection is open. */
  onOpen?(): void;
  /** A complete message arrived: text as a string, binary as bytes. */
  onMessage?(data: string | Uint8Array): void;
  /** A pong arrived (answers to our pings, or unsolicited). */
  onPong?(payload: Uint8Array): void;
  /** The connection is over; called once, whether the handshake completed or not. */
  onClose?(code: number, reason: string, wasClean: boolean): void;
  /** A protocol or handshake failure, reported before `onClose`. */
  onError?(error: ProtocolError): void;
}

/**
 * Limits and timeouts of a raw-socket session; every one has a safe default.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface RawSocketSessionOptions extends Omit<ConnectionOptions, "role">, HandshakeOptions {
  /** Maximum bytes of the HTTP request head. Default 8 KiB. */
  maxHeadSize?: number;
  /** Maximum number of request header lines. Default 100. */
  maxHeaderCount?: number;
  /**
   * Milliseconds for the whole request head to arrive; a slowloris that
   * trickles bytes is cut off. Default 10 000.
   */
  handshakeTimeout?: number;
  /** Milliseconds to wait for the peer's close frame after ours. Default 5 000. */
  closeTimeout?: number;
}

const NO_CHUNKS: readonly Uint8Array[] = [];
const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;
const DEFAULT_CLOSE_TIMEOUT = 5_000;
// Past this many bytes in the stream's queue, output waits in the engine for
// the stream to drain. Above Node's highWaterMark (16 KiB), so that Node
// announces the drain; Deno and Bun announce every drain.
const HOLD_BYTES = 64 * 1024;

// The engine's close ends the session; set in RawSocketSession's static block,
// which alone may call its private #finish.
let finishSession: (
  session: RawSocketSession,
  code: number,
  reason: string,
  wasClean: boolean,
) => void;

/**
 * Drives one server-side WebSocket connection over a {@linkcode ByteStream}.
 *
 * All frames produced while handling one read leave in one `write` call, and
 * sends made outside a read in the same tick are batched the same way.
 *
 * @example An echo connection over any byte stream
 * ```ts ignore
 * const session = new RawSocketSession(stream, {
 *   onMessage: (data) => session.send(data),
 * });
 * socket.on("data", (chunk) => session.receive(chunk));
 * socket.on("close", () => session.streamClosed());
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class RawSocketSession {
  #stream: ByteStream;
  #events: RawSocketSessionEvents;
  #options: RawSocketSessionOptions;
  #head: HttpHeadParser | null;
  #connection: WebSocketConnection | null = null;
  #protocol: string | undefined;
  // The request head in wire form: kept for the life of the connection
  // (`request` parses it again on demand) at a fraction of the parsed size.
  // A one-byte string: no ArrayBuffer, no pinned read chunk.
  #requestText: string | null = null;
  #headStarted = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #receiving = false;
  #flushScheduled = false;
  #finished = false;
  // Bytes that arrive while the upgrade is being decided; rarely any.
  #pendingBytes: Uint8Array[] | null = null;
  #unflushedBytes = 0;

  /** Starts a session; the handshake timeout runs from now. */
  constructor(
    stream: ByteStream,
    events: RawSocketSessionEvents,
    options: RawSocketSessionOptions = {},
  ) {
    this.#stream = stream;
    this.#events = events;
    this.#options = options;
    this.#head = new HttpHeadParser({
      kind: "request",
      maxHeadSize: options.maxHeadSize,
      maxHeaderCount: options.maxHeaderCount,
    });
    this.#timer = setTimeout(
      () =>
        this.#reject(
          new ProtocolError(
            "HANDSHAKE_TIMEOUT",
            "Cannot accept upgrade: the request head did not arrive in time",
            { status: 408 },
          ),
        ),
      options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT,
    );
  }

  /** The upgrade request (`rest` empty, names lower-cased), once its head has arrived. */
  get request(): RequestHead | null {
    if (this.#requestText === null) return null;
    const bytes = encodeLatin1(this.#requestText);
    const parser = new HttpHeadParser({
      kind: "request",
      maxHeadSize: bytes.length,
      maxHeaderCount: Number.MAX_SAFE_INTEGER,
      maxLineLength: bytes.length,
    });
    return parser.push(bytes) as RequestHead;
  }

  /** The negotiated subprotocol, if any. */
  get protocol(): string | undefined {
    return this.#protocol;
  }

  /** `"connecting"` during the handshake, then the engine's state. */
  get state(): "connecting" | "open" | "closing" | "closed" {
    if (this.#finished) return "closed";
    return this.#connection?.state ?? "connecting";
  }

  /** Feeds bytes read from the stream. */
  receive(chunk: Uint8Array): void {
    if (this.#finished) return;
    if (this.#connection === null) {
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
      this.#connection.receive(chunk);
    } finally {
      this.#receiving = false;
    }
    this.#flush();
  }

  /**
   * Payload bytes queued by `send` and not yet handed to the stream (sends
   * are batched until the end of the current read or tick). Text counts one
   * byte per UTF-16 unit: close enough for backpressure decisions.
   */
  get queuedBytes(): number {
    return this.#unflushedBytes;
  }

  /** Bytes waiting to leave: {@linkcode RawSocketSession.queuedBytes} plus the stream's own queue. */
  get bufferedAmount(): number {
    return (this.#stream.queuedBytes ?? 0) + this.#unflushedBytes;
  }

  /** Queues a message; returns false if the connection no longer sends. `compress` goes to the extensions. */
  send(data: string | Uint8Array, compress?: boolean): boolean {
    const connection = this.#connection;
    if (connection === null || this.#finished) return false;
    const queued = connection.send(data, compress);
    this.#unflushedBytes += data.length;
    this.#scheduleFlush();
    return queued;
  }

  /**
   * Queues a message many connections send alike (a topic publication): its
   * shared frame bytes, uncompressed or compressed once for every connection
   * that can share them, else `data` through the engine (see
   * `WebSocketConnection.sendShared`). Returns false if the connection no
   * longer sends.
   */
  sendShared(message: SharedOutgoingMessage): boolean {
    const connection = this.#connection;
    if (connection === null || this.#finished) return false;
    // A connection the stream cannot keep up with shares the frame rather than copy it.
    const queued = connection.sendShared(message, (this.#stream.queuedBytes ?? 0) > 0);
    this.#unflushedBytes += message.payload.length;
    this.#scheduleFlush();
    return queued;
  }

  /** Sends a ping. */
  ping(payload?: Uint8Array | string): void {
    if (this.#connection === null || this.#finished) return;
    this.#connection.ping(payload);
    this.#scheduleFlush();
  }

  /** Starts the close handshake; the close timeout ends a peer that never answers. */
  close(code?: number, reason?: string): void {
    if (this.#finished) return;
    if (this.#connection === null) {
      this.#finish(1006, "", false);
      return;
    }
    this.#connection.close(code, reason);
    this.#scheduleFlush();
  }

  /** Ends the stream now, without a close handshake. */
  terminate(): void {
    if (this.#finished) return;
    if (this.#stream.destroy) this.#stream.destroy();
    else this.#stream.close();
    this.#finish(1006, "", false);
  }

  /**
   * Tells the session the stream's queue emptied: output held back while it
   * was backed up is written now.
   */
  streamDrained(): void {
    if (!this.#finished && this.#connection?.hasOutput) this.#flush();
  }

  /**
   * Discards the output not yet handed to the stream (whole frames; what the
   * stream has is left alone), before closing a peer past its queue limit.
   */
  dropQueued(): void {
    const connection = this.#connection;
    if (connection === null || this.#finished || !connection.hasOutput) return;
    connection.takeOutput();
    this.#unflushedBytes = 0;
  }

  /** Tells the session the stream is gone (peer closed or errored). */
  streamClosed(): void {
    if (!this.#finished) this.#finish(1006, "", false);
  }

  /**
   * Starts from a request head parsed elsewhere (e.g. by `node:http` before
   * its `upgrade` event); `rest` holds any bytes that followed it.
   */
  startWithHead(head: RequestHead): void {
    this.#start(head, null);
  }

  // `wire` is the head as received, when it came in one piece.
  #start(head: RequestHead, wire: Uint8Array | null): void {
    if (this.#finished || this.#requestText !== null) return;
    this.#head = null;
    if (head.rest.length > 0) (this.#pendingBytes ??= []).push(head.rest);
    this.#requestText = decodeLatin1(wire ?? requestHeadBytes(head));
    let verdict: UpgradeVerdict | Promise<UpgradeVerdict>;
    try {
      verdict = this.#events.negotiate ? this.#events.negotiate(head) : this.#acceptValid(head);
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

  #acceptValid(head: RequestHead): UpgradeVerdict | Promise<UpgradeVerdict> {
    const acceptance = acceptUpgradeNow(head, this.#options);
    return acceptance instanceof Promise
      ? acceptance.then((accepted): UpgradeVerdict => ({ accepted: true, acceptance: accepted }))
      : { accepted: true, acceptance };
  }

  #conclude(verdict: UpgradeVerdict): void {
    if (verdict.accepted) this.#open(verdict.acceptance, verdict.headers, verdict.extensions);
    else this.#refuse(verdict.response);
  }

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
    this.#protocol = acceptance.protocol;
    const shared = connectionOptions(this.#options);
    this.#connection = new WebSocketConnection(
      new EngineListener(this, this.#events),
      extensions === undefined || extensions.length === 0 ? shared : { ...shared, extensions },
    );
    this.#stream.write([switching]);
    this.#events.onOpen?.();
    const early = this.#pendingBytes;
    this.#pendingBytes = null;
    if (early !== null) { for (const bytes of early) this.receive(bytes); }
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
    this.#events.onError?.(rejection);
    this.#refuse(buildRejection(rejection));
  }

  #scheduleFlush(): void {
    // Inside receive() the flush at its end picks this up; elsewhere, batch the tick.
    if (this.#receiving || this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const connection = this.#connection;
    if (connection === null) return;
    if (connection.shouldCloseTransport) {
      this.#unflushedBytes = 0;
      this.#writeAndClose(connection.hasOutput ? connection.takeOutput() : NO_CHUNKS);
      return;
    }
    if (!connection.hasOutput) {
      this.#unflushedBytes = 0;
    } else if ((this.#stream.queuedBytes ?? 0) < HOLD_BYTES) {
      this.#unflushedBytes = 0;
      this.#stream.write(connection.takeOutput());
    }
    // Else the stream is backed up: the output stays in the engine (shared
    // frames as references, still counted in bufferedAmount) until
    // streamDrained(), rather than as one runtime write request per chunk.
    if (connection.closeSent && this.#timer === undefined && !this.#finished) {
      // Our close is out; a peer that never answers is cut off.
      this.#timer = setTimeout(
        () => this.terminate(),
        this.#options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
      );
    }
  }

  static {
    finishSession = (session, code, reason, wasClean) => session.#finish(code, reason, wasClean);
  }

  #finish(code: number, reason: string, wasClean: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // A failure queues a close frame right before finishing: it must still leave.
    const connection = this.#connection;
    const output = connection?.hasOutput ? connection.takeOutput() : NO_CHUNKS;
    if (connection === null || connection.shouldCloseTransport) this.#writeAndClose(output);
    else if (output.length > 0) this.#stream.write(output);
    this.#events.onClose?.(code, reason, wasClean);
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
}

// Passes the engine's events on to the session's owner: one small object
// per connection instead of a closure per event.
class EngineListener implements ConnectionListener {
  #session: RawSocketSession;
  #events: RawSocketSessionEvents;

  constructor(session: RawSocketSession, events: RawSocketSessionEvents) {
    this.#session = session;
    this.#events = events;
  }

  onMessage(data: string | Uint8Array): void {
    this.#events.onMessage?.(data);
  }

  onPong(payload: Uint8Array): void {
    this.#events.onPong?.(payload);
  }

  onError(error: ProtocolError): void {
    this.#events.onError?.(error);
  }

  onClose(code: number, reason: string, wasClean: boolean): void {
    finishSession(this.#session, code, reason, wasClean);
  }
}

// The engine's options, derived once per options object (a server shares one
// across its connections).
const engineOptions = new WeakMap<RawSocketSessionOptions, ConnectionOptions>();

function connectionOptions(options: RawSocketSessionOptions): ConnectionOptions {
  let derived = engineOptions.get(options);
  if (derived === undefined) {
    derived = { ...options, role: "server" };
    engineOptions.set(options, derived);
  }
  return derived;
}
