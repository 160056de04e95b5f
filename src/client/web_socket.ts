/**
 * The client's WHATWG-compatible `WebSocket` class.
 *
 * @module
 */

import { isToken } from "../handshake/http_chars.ts";
import { clientConnectors } from "./client_connectors.ts";
import { resolveClientOptions, type WebSocketClientOptions } from "./client_options.ts";
import { ClientSession, type ClientSessionEvents } from "./client_session.ts";
import { ClientMessageEvent, CloseEventClass, errorEvent } from "./client_events.ts";

const textEncoder = new TextEncoder();

/**
 * A WHATWG `WebSocket` on omnisocket's engine (Node, Deno, Bun), or over the
 * platform's own `WebSocket` where there are no raw sockets (browsers,
 * workerd). Same events, `onX` properties, `binaryType` (default `"blob"`,
 * as the standard says; `"arraybuffer"` is cheaper), `bufferedAmount`,
 * `protocol`, `extensions`, `readyState`, `send`, `close(code, reason)`.
 *
 * Beyond the standard, on the engine: a third constructor argument with
 * {@linkcode WebSocketClientOptions} (headers, permessage-deflate, limits,
 * timeouts, proxy, TLS), {@linkcode WebSocket.ping}, and `ping`/`pong` events
 * (a `MessageEvent` whose `data` is the payload as a `Uint8Array`). The
 * `error` event carries the cause as `event.error` (a `ProtocolError` with a
 * stable `code` for handshake and protocol failures). When the connection
 * fails (a bad frame from the server, answered with 1002/1007/1009 on the
 * wire) or the server drops TCP, `close` reports 1006, as browsers do.
 *
 * @example Echoing one message
 * ```ts ignore
 * import { WebSocket } from "@omnisocket/core/client";
 *
 * const socket = new WebSocket("ws://localhost:8080/", [], { perMessageDeflate: true });
 * socket.binaryType = "arraybuffer";
 * socket.onopen = () => socket.send("hello");
 * socket.onmessage = (event) => {
 *   console.log(event.data);
 *   socket.close(1000, "done");
 * };
 * socket.addEventListener("close", (event) => console.log(event.code, event.reason));
 * ```
 */
export class WebSocket extends EventTarget {
  /** readyState: opening. */
  static readonly CONNECTING = 0;
  /** readyState: open. */
  static readonly OPEN = 1;
  /** readyState: closing. */
  static readonly CLOSING = 2;
  /** readyState: closed. */
  static readonly CLOSED = 3;
  /** readyState: opening. */
  readonly CONNECTING = 0;
  /** readyState: open. */
  readonly OPEN = 1;
  /** readyState: closing. */
  readonly CLOSING = 2;
  /** readyState: closed. */
  readonly CLOSED = 3;

  /** The URL connected to (after `http:`/`https:` became `ws:`/`wss:`). */
  readonly url: string;
  #binaryType: "blob" | "arraybuffer" = "blob";
  #protocol = "";
  #extensions = "";
  #session: ClientSession | null = null;
  #native: globalThis.WebSocket | null = null;
  // The onX handlers, by event type; made on the first one set.
  #handlers: Record<string, ((this: WebSocket, event: Event) => unknown) | undefined> | null = null;
  #closedState = false;
  #origin = "";

  /**
   * Starts connecting. Throws a `SyntaxError` `DOMException` for a bad URL or
   * subprotocol list and a `RangeError` for a bad option.
   */
  constructor(
    url: string | URL,
    protocols?: string | string[],
    options?: WebSocketClientOptions,
  ) {
    super();
    const parsed = parseUrl(url);
    const resolved = resolveClientOptions(options, protocols);
    const offered = resolved.protocols;
    if (offered.some((p) => !isToken(p)) || new Set(offered).size !== offered.length) {
      throw new DOMException(
        "Cannot create WebSocket: subprotocols must be distinct tokens",
        "SyntaxError",
      );
    }
    this.url = parsed.href;
    this.#origin = parsed.origin;
    if (!clientConnectors().hasRawSockets()) {
      this.#native = this.#wrapNative(parsed, offered);
      return;
    }
    this.#session = new ClientSession(
      parsed,
      resolved,
      clientConnectors().load(),
      new WebSocket.#SessionEvents(this),
    );
  }

  // What the session reports, turned into this socket's events: one small object per socket,
  // its methods shared (no closures per connection). Declared in the class body to reach the
  // socket's private fields.
  static #SessionEvents = class implements ClientSessionEvents {
    readonly socket: WebSocket;
    constructor(socket: WebSocket) {
      this.socket = socket;
    }
    open(protocol: string, extensions: string): void {
      const socket = this.socket;
      socket.#protocol = protocol;
      socket.#extensions = extensions;
      socket.dispatchEvent(new Event("open"));
    }
    message(data: string | Uint8Array): void {
      this.socket.#dispatchMessage(data);
    }
    ping(payload: Uint8Array): void {
      this.socket.dispatchEvent(new ClientMessageEvent("ping", payload));
    }
    pong(payload: Uint8Array): void {
      this.socket.dispatchEvent(new ClientMessageEvent("pong", payload));
    }
    drained(): void {}
    error(error: Error): void {
      this.socket.dispatchEvent(errorEvent(error));
    }
    close(code: number, reason: string, wasClean: boolean): void {
      const socket = this.socket;
      socket.#closedState = true;
      socket.dispatchEvent(
        new CloseEventClass("close", { code: wasClean ? code : 1006, reason, wasClean }),
      );
    }
  };

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): number {
    if (this.#native !== null) return this.#native.readyState;
    return this.#closedState ? 3 : this.#session!.readyState;
  }

  /** Bytes queued by `send` and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.#native?.bufferedAmount ?? this.#session!.bufferedAmount;
  }

  /** The subprotocol the server chose, or `""`. */
  get protocol(): string {
    return this.#native?.protocol ?? this.#protocol;
  }

  /** The extensions the server accepted (`Sec-WebSocket-Extensions`), or `""`. */
  get extensions(): string {
    return this.#native?.extensions ?? this.#extensions;
  }

  /** How binary messages arrive: `"blob"` (default) or `"arraybuffer"`. */
  get binaryType(): "blob" | "arraybuffer" {
    return this.#binaryType;
  }

  set binaryType(value: "blob" | "arraybuffer") {
    if (value !== "blob" && value !== "arraybuffer") return;
    this.#binaryType = value;
    if (this.#native !== null) this.#native.binaryType = value;
  }

  /**
   * Sends a message: a string as text; bytes, an `ArrayBuffer`, a view or a
   * `Blob` as binary (a Blob is read first; order is kept). Throws an
   * `InvalidStateError` while connecting; ignored once closing.
   */
  send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
    if (this.#native !== null) {
      this.#native.send(data as string);
      return;
    }
    const session = this.#session!;
    if (session.readyState === 0) {
      throw new DOMException("Cannot send: the WebSocket is still connecting", "InvalidStateError");
    }
    if (typeof data === "string") session.send(data);
    else if (data instanceof Blob) {
      void data.arrayBuffer().then((buffer) => session.send(new Uint8Array(buffer)));
    } else if (ArrayBuffer.isView(data)) {
      session.send(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } else session.send(new Uint8Array(data as ArrayBuffer));
  }

  /**
   * Closes with `code` (1000 or 3000–4999) and `reason` (at most 123 bytes of
   * UTF-8): an `InvalidAccessError` or `SyntaxError` otherwise. While
   * connecting it gives up the connection.
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
      throw new DOMException(
        "Cannot close: the code must be 1000 or from 3000 to 4999",
        "InvalidAccessError",
      );
    }
    const text = reason ?? "";
    if (textEncoder.encode(text).length > 123) {
      throw new DOMException("Cannot close: the reason is longer than 123 bytes", "SyntaxError");
    }
    if (this.#native !== null) {
      this.#native.close(code, reason);
      return;
    }
    this.#session!.close(code, text);
  }

  /**
   * Sends a ping (at most 125 bytes); the answer comes as a `pong` event.
   * Not available over the platform's WebSocket (throws `NotSupportedError`).
   */
  ping(payload?: Uint8Array | string): void {
    if (this.#native !== null) {
      throw new DOMException(
        "Cannot ping: the platform WebSocket has no ping",
        "NotSupportedError",
      );
    }
    if (this.#session!.readyState === 0) {
      throw new DOMException("Cannot ping: the WebSocket is still connecting", "InvalidStateError");
    }
    this.#session!.ping(payload);
  }

  /** Handler for `open`. */
  get onopen(): ((this: WebSocket, event: Event) => unknown) | null {
    return this.#handlers?.open ?? null;
  }
  set onopen(listener: ((this: WebSocket, event: Event) => unknown) | null) {
    this.#setHandler("open", listener);
  }
  /** Handler for `message`. */
  get onmessage(): ((this: WebSocket, event: MessageEvent) => unknown) | null {
    return this.#handlers?.message ?? null;
  }
  set onmessage(listener: ((this: WebSocket, event: MessageEvent) => unknown) | null) {
    this.#setHandler("message", listener as ((this: WebSocket, event: Event) => unknown) | null);
  }
  /** Handler for `error`. */
  get onerror(): ((this: WebSocket, event: Event) => unknown) | null {
    return this.#handlers?.error ?? null;
  }
  set onerror(listener: ((this: WebSocket, event: Event) => unknown) | null) {
    this.#setHandler("error", listener);
  }
  /** Handler for `close` (a `CloseEvent`). */
  get onclose(): ((this: WebSocket, event: CloseEvent) => unknown) | null {
    return this.#handlers?.close ?? null;
  }
  set onclose(listener: ((this: WebSocket, event: CloseEvent) => unknown) | null) {
    this.#setHandler("close", listener as ((this: WebSocket, event: Event) => unknown) | null);
  }

  #setHandler(type: string, listener: ((this: WebSocket, event: Event) => unknown) | null): void {
    const handlers = this.#handlers ??= {};
    const previous = handlers[type];
    if (previous) this.removeEventListener(type, previous as EventListener);
    if (typeof listener === "function") {
      handlers[type] = listener;
      this.addEventListener(type, listener as EventListener);
    } else handlers[type] = undefined;
  }

  #dispatchMessage(data: string | Uint8Array): void {
    let value: string | Blob | ArrayBuffer;
    if (typeof data === "string") value = data;
    else if (this.#binaryType === "arraybuffer") {
      value = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
        ? data.buffer as ArrayBuffer
        : new Uint8Array(data).buffer as ArrayBuffer; // a copy: the bytes are a view into a larger buffer
    } else value = new Blob([data as Uint8Array<ArrayBuffer>]);
    this.dispatchEvent(new ClientMessageEvent("message", value, this.#origin));
  }

  #wrapNative(url: URL, protocols: string[]): globalThis.WebSocket {
    const Native = (globalThis as { WebSocket?: typeof globalThis.WebSocket }).WebSocket;
    if (Native === undefined || Native === (WebSocket as unknown)) {
      throw new DOMException("Cannot create WebSocket: this runtime has none", "NotSupportedError");
    }
    const native = new Native(url.href, protocols);
    native.binaryType = this.#binaryType;
    for (const type of ["open", "message", "error", "close"]) {
      native.addEventListener(type, (event) => {
        let copy: Event;
        if (type === "message") {
          copy = new MessageEvent("message", {
            data: (event as MessageEvent).data,
            origin: (event as MessageEvent).origin,
          });
        } else if (type === "close") {
          const { code, reason, wasClean } = event as CloseEvent;
          copy = new CloseEventClass("close", { code, reason, wasClean });
        } else copy = new Event(type);
        this.dispatchEvent(copy);
      });
    }
    return native;
  }
}

function parseUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    const base = (globalThis as { location?: { href: string } }).location?.href;
    parsed = new URL(url, base);
  } catch {
    throw new DOMException(`Cannot create WebSocket: ${url} is not a valid URL`, "SyntaxError");
  }
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new DOMException(
      "Cannot create WebSocket: the scheme must be ws: or wss:",
      "SyntaxError",
    );
  }
  if (parsed.hash !== "" || parsed.href.endsWith("#")) {
    throw new DOMException("Cannot create WebSocket: the URL has a fragment", "SyntaxError");
  }
  return parsed;
}
