/**
 * One client connection on our engine: connect, handshake, then the
 * sans-I/O connection over the runtime's byte stream. Both faces of the
 * client (`WebSocket`, `WebSocketStream`) drive one of these.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { type ClientHandshake, createClientHandshake } from "../handshake/client_handshake.ts";
import { HttpHeadParser, type ResponseHead } from "../handshake/http_head_parser.ts";
import type { ExtensionOffer } from "../handshake/parse_extensions.ts";
import { formatExtensions } from "../handshake/parse_extensions.ts";
import { MaskKeyPool } from "../frame/mask_key_pool.ts";
import { PerMessageDeflate } from "../protocol/per_message_deflate.ts";
import { WebSocketConnection } from "../protocol/websocket_connection.ts";
import type { Extension } from "../protocol/extension.ts";
import type { ResolvedClientOptions } from "./client_options.ts";
import type {
  ClientConnector,
  ClientTransport,
  ClientTransportHandler,
} from "./client_transport.ts";
import type { ConnectionListener } from "../protocol/connection_listener.ts";
import type { DeflateCodec } from "../protocol/deflate_codec.ts";
import { acceptDeflateResponse, deflateOffer } from "./client_deflate.ts";
import { proxyTunnel, selectProxy } from "./proxy_tunnel.ts";

/**
 * What a session reports, in this order: `open` once (or not at all), then
 * messages, pings and pongs, then `error` at most once, then `close` exactly once.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ClientSessionEvents {
  open(protocol: string, extensions: string): void;
  message(data: string | Uint8Array): void;
  ping(payload: Uint8Array): void;
  pong(payload: Uint8Array): void;
  /** The write queue emptied. */
  drained(): void;
  /** A failure: the handshake's, the connection's (a ProtocolError with its close code), or I/O. */
  error(error: Error): void;
  /**
   * The connection is over. `code` is the server's close code (1005 when its
   * frame had none) when a close frame came, 1006 otherwise.
   */
  close(code: number, reason: string, wasClean: boolean): void;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const masks = new MaskKeyPool();

interface PendingHandshake {
  handshake: ClientHandshake;
  parser: HttpHeadParser;
  offer: ExtensionOffer | null;
  codec: DeflateCodec | null;
  // The runtime's memory for joined messages and masked copies (uninitialised on Node and Bun).
  allocate: ((size: number) => Uint8Array) | undefined;
}

/**
 * A client connection on the engine.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class ClientSession implements ClientTransportHandler, ConnectionListener {
  /** 0 connecting, 1 open, 2 closing, 3 closed (the WHATWG readyState values). */
  readyState: number = CONNECTING;
  #events: ClientSessionEvents;
  #options: ResolvedClientOptions;
  #transport: ClientTransport | null = null;
  #connection: WebSocketConnection | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closeFrame: { code: number; reason: string } | null = null;
  #failed = false;
  #ended = false;
  #pendingClose: { code: number | undefined; reason: string } | null = null;
  // What the handshake needs until the answer came; null once open (an idle connection keeps none).
  #handshake: PendingHandshake | null = null;
  // Made only when a signal is given.
  #onAbort: (() => void) | null = null;

  constructor(
    url: URL,
    options: ResolvedClientOptions,
    connector: Promise<ClientConnector | null>,
    events: ClientSessionEvents,
  ) {
    this.#events = events;
    this.#options = options;
    if (options.signal?.aborted) {
      queueMicrotask(() => this.#abort());
      return;
    }
    if (options.signal !== undefined) {
      this.#onAbort = () => this.#abort();
      options.signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    this.#timer = setTimeout(() => {
      this.#fail(
        new ProtocolError(
          "HANDSHAKE_TIMEOUT",
          `Cannot open connection: no handshake answer within ${options.handshakeTimeout} ms`,
        ),
      );
    }, options.handshakeTimeout);
    this.#start(url, connector).catch((error) => this.#fail(asError(error)));
  }

  /** Bytes queued and not yet sent. */
  get bufferedAmount(): number {
    return this.#transport?.queuedBytes ?? 0;
  }

  async #start(url: URL, connectorPromise: Promise<ClientConnector | null>): Promise<void> {
    const connector = await connectorPromise;
    if (connector === null) {
      throw new ProtocolError(
        "UNSUPPORTED_ON_RUNTIME",
        "Cannot connect: this runtime has no raw sockets",
      );
    }
    const options = this.#options;
    const codec = options.perMessageDeflate === null ? null : connector.deflateCodec();
    const offer = options.perMessageDeflate === null
      ? null
      : deflateOffer(options.perMessageDeflate, codec!.supportsDictionary);
    const handshake = await createClientHandshake(url, {
      protocols: options.protocols,
      headers: options.headers,
      extensions: offer === null ? [] : [offer],
    });
    if (this.#ended) return;
    const secure = url.protocol === "wss:";
    const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port || (secure ? 443 : 80));
    const proxy = selectProxy(url, options.proxy, connector.env);
    this.#handshake = {
      handshake,
      parser: new HttpHeadParser({ kind: "response" }),
      offer,
      codec,
      allocate: connector.allocate,
    };
    // The session is the transport's handler (data, drained, closed): no closures per connection.
    const transport = await connector.connect({
      hostname,
      port,
      tls: secure,
      tlsOptions: options.tls,
      tunnel: proxy === null ? undefined : proxyTunnel(proxy, hostname, port),
    }, this);
    if (this.#ended) {
      transport.destroy();
      return;
    }
    this.#transport = transport;
    transport.write([handshake.request]);
  }

  /** Transport handler: bytes arrived (the handshake's answer, then frames). */
  data(chunk: Uint8Array): void {
    const connection = this.#connection;
    if (connection !== null) {
      this.#receive(connection, chunk);
      return;
    }
    const pending = this.#handshake;
    if (this.readyState !== CONNECTING || pending === null) return;
    let head: ResponseHead | null;
    try {
      head = pending.parser.push(chunk) as ResponseHead | null;
    } catch (error) {
      this.#fail(
        new ProtocolError(
          "INVALID_RESPONSE",
          "Cannot complete client handshake: the response head is malformed",
          { cause: error },
        ),
      );
      return;
    }
    if (head === null) return;
    let agreed: { protocol: string | undefined; extensions: ExtensionOffer[] };
    let extensions: Extension[] = [];
    try {
      agreed = pending.handshake.verify(head);
      const offer = pending.offer;
      const agreement = offer === null ? null : acceptDeflateResponse(offer, agreed.extensions);
      if (agreement !== null) {
        const options = this.#options;
        const deflate = options.perMessageDeflate!;
        extensions = [
          new PerMessageDeflate(pending.codec!, agreement, {
            level: deflate.level ?? 6,
            memLevel: deflate.memLevel ?? 4,
            threshold: deflate.threshold ?? 1024,
            maxMessageSize: options.maxMessageSize,
          }, "client"),
        ];
      }
    } catch (error) {
      this.#fail(asError(error));
      return;
    }
    this.#handshake = null;
    this.#opened(agreed, extensions, pending.allocate, head.rest);
  }

  /** Transport handler: the write queue emptied. */
  drained(): void {
    this.#events.drained();
  }

  /** Transport handler: the connection is gone. */
  closed(error?: Error): void {
    this.#transportClosed(error);
  }

  /** Connection listener: a whole message. */
  onMessage(data: string | Uint8Array): void {
    this.#events.message(data);
  }

  /** Connection listener: a ping (answered by the connection unless autoPong is off). */
  onPing(payload: Uint8Array): void {
    this.#events.ping(payload);
  }

  /** Connection listener: a pong. */
  onPong(payload: Uint8Array): void {
    this.#events.pong(payload);
  }

  /** Connection listener: the server broke the protocol (answered on the wire already). */
  onError(error: ProtocolError): void {
    this.#failed = true;
    this.#events.error(error);
  }

  /** Connection listener: the close handshake completed or the connection failed. */
  onClose(code: number, reason: string, wasClean: boolean): void {
    if (wasClean) this.#closeFrame = { code, reason };
    this.readyState = CLOSING;
    this.#flush();
    this.#timer = setTimeout(() => this.#transport?.destroy(), this.#options.closeTimeout);
    if (!wasClean) this.#transport?.close();
  }

  #opened(
    agreed: { protocol: string | undefined; extensions: ExtensionOffer[] },
    extensions: Extension[],
    allocate: ((size: number) => Uint8Array) | undefined,
    rest: Uint8Array,
  ): void {
    clearTimeout(this.#timer);
    // A cleared timer object is still memory: an open connection keeps none.
    this.#timer = undefined;
    const options = this.#options;
    const events = this.#events;
    // The session is the connection's listener (onMessage, onPing, onPong, onError, onClose).
    const connection = new WebSocketConnection(this, {
      role: "client",
      maskKeys: masks,
      allocate,
      maxMessageSize: options.maxMessageSize,
      extensions,
      autoPong: options.autoPong,
    });
    this.#connection = connection;
    this.readyState = OPEN;
    events.open(
      agreed.protocol ?? "",
      agreed.extensions.length === 0 ? "" : formatExtensions(agreed.extensions),
    );
    const pending = this.#pendingClose;
    if (pending !== null) this.close(pending.code, pending.reason);
    if (rest.length > 0 && this.readyState !== CLOSED) this.#receive(connection, rest.slice());
  }

  #receive(connection: WebSocketConnection, chunk: Uint8Array): void {
    try {
      connection.receive(chunk);
    } finally {
      this.#flush();
    }
  }

  #flush(): void {
    const connection = this.#connection;
    if (connection === null || !connection.hasOutput) return;
    this.#transport?.write(connection.takeOutput());
  }

  /** Queues a message; false once closing. */
  send(data: string | Uint8Array): boolean {
    const connection = this.#connection;
    if (connection === null || this.readyState !== OPEN) return false;
    const sent = connection.send(data);
    this.#flush();
    return sent;
  }

  /** Queues a ping; false unless open. */
  ping(payload?: Uint8Array | string): boolean {
    const connection = this.#connection;
    if (connection === null || this.readyState !== OPEN) return false;
    const sent = connection.ping(payload);
    this.#flush();
    return sent;
  }

  /** Queues an unsolicited pong; false unless open. */
  pong(payload?: Uint8Array | string): boolean {
    const connection = this.#connection;
    if (connection === null || this.readyState !== OPEN) return false;
    const sent = connection.pong(payload);
    this.#flush();
    return sent;
  }

  /**
   * Starts the close handshake (code undefined: an empty close frame), or
   * gives up a connection still opening.
   */
  close(code: number | undefined, reason: string): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    if (this.readyState === CONNECTING) {
      this.readyState = CLOSING;
      this.#pendingClose = null;
      this.#fail(
        new ProtocolError("ABORTED", "Cannot open connection: closed before it opened"),
      );
      return;
    }
    const connection = this.#connection!;
    this.readyState = CLOSING;
    if (code === undefined) connection.close(1000, "");
    else connection.close(code, reason);
    this.#flush();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#transport?.destroy(), this.#options.closeTimeout);
  }

  /** Stops reading from the socket until `resumeReading` (backpressure). */
  pauseReading(): void {
    this.#transport?.pause();
  }

  /** Reads again. */
  resumeReading(): void {
    this.#transport?.resume();
  }

  #abort(): void {
    if (this.readyState === OPEN) {
      this.close(1000, "");
      return;
    }
    const reason = this.#options.signal?.reason;
    this.#fail(
      new ProtocolError("ABORTED", "Cannot open connection: the signal was aborted", {
        cause: reason,
      }),
    );
  }

  // Fails a connection that is not open yet, or tears one down after an I/O error.
  #fail(error: Error): void {
    if (this.#ended) return;
    if (this.#connection !== null && this.readyState === OPEN) {
      const connection = this.#connection;
      connection.fail(error instanceof ProtocolError && error.closeCode ? error.closeCode : 1011);
      this.#flush();
    }
    this.#failed = true;
    this.#events.error(error);
    // Ended first: a transport that reports its end synchronously must find nothing to do.
    this.#end();
    this.#transport?.destroy();
  }

  #transportClosed(error?: Error): void {
    if (this.#ended) return;
    if (this.readyState === CONNECTING) {
      this.#fail(
        new ProtocolError(
          "CONNECTION_CLOSED",
          error === undefined
            ? "Cannot complete client handshake: the server closed the connection"
            : `Cannot complete client handshake: the connection failed (${error.message})`,
          { cause: error },
        ),
      );
      return;
    }
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    if (this.#onAbort !== null) this.#options.signal?.removeEventListener("abort", this.#onAbort);
    this.readyState = CLOSED;
    const frame = this.#closeFrame;
    if (frame !== null && !this.#failed) this.#events.close(frame.code, frame.reason, true);
    else this.#events.close(1006, "", false);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
