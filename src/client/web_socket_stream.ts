/**
 * The client's `WebSocketStream`: the WHATWG proposal's shape, with
 * backpressure both ways.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { clientConnectors } from "./client_connectors.ts";
import { resolveClientOptions, type WebSocketClientOptions } from "./client_options.ts";
import { ClientSession } from "./client_session.ts";

/**
 * Options of a {@linkcode WebSocketStream}: the client options, plus the
 * size of the read queue.
 *
 * @example
 * ```ts
 * import type { WebSocketStreamOptions } from "@omnisocket/core/client";
 *
 * const options: WebSocketStreamOptions = { protocols: ["chat"], readableHighWaterMark: 1 << 20 };
 * ```
 */
export interface WebSocketStreamOptions extends WebSocketClientOptions {
  /**
   * Bytes of received messages queued in `readable` before the client stops
   * reading the socket (the server then meets TCP backpressure). Default 64 KiB.
   */
  readableHighWaterMark?: number;
  /** Bytes queued for sending before `writable` applies backpressure. Default 64 KiB. */
  writableHighWaterMark?: number;
}

/**
 * What `opened` resolves to.
 *
 * @example
 * ```ts ignore
 * const { readable, writable, protocol }: WebSocketStreamConnection = await stream.opened;
 * ```
 */
export interface WebSocketStreamConnection {
  /** Messages as they arrive: text as strings, binary as `Uint8Array`. */
  readable: ReadableStream<string | Uint8Array>;
  /** Messages to send: strings as text, bytes as binary. Closing it closes with 1000. */
  writable: WritableStream<string | Uint8Array | ArrayBuffer>;
  /** The subprotocol the server chose, or `""`. */
  protocol: string;
  /** The extensions the server accepted, or `""`. */
  extensions: string;
}

/**
 * How the connection ended: what `closed` resolves to.
 *
 * @example
 * ```ts ignore
 * const { closeCode, reason }: WebSocketCloseInfo = await stream.closed;
 * ```
 */
export interface WebSocketCloseInfo {
  /** The close code (1005 when the server's close frame had none). */
  closeCode?: number;
  /** The close reason. */
  reason?: string;
}

const messageSize = (message: string | Uint8Array): number =>
  typeof message === "string" ? message.length * 2 : message.byteLength;

/**
 * A WebSocket client as streams (the shape of the WHATWG `WebSocketStream`
 * proposal) on omnisocket's engine: when the application stops reading
 * `readable`, the client stops reading the socket, so memory stays bounded by
 * `readableHighWaterMark` plus one message whatever the server sends;
 * `writable`'s writes wait while more than `writableHighWaterMark` bytes are
 * queued. `opened` rejects and `closed` rejects with the failure (a
 * `ProtocolError` with a stable `code`) when the connection fails.
 *
 * @example Reading until the server closes
 * ```ts ignore
 * import { WebSocketStream } from "@omnisocket/core/client";
 *
 * const stream = new WebSocketStream("ws://localhost:8080/");
 * const { readable, writable } = await stream.opened;
 * const writer = writable.getWriter();
 * await writer.write("hello");
 * for await (const message of readable) console.log(message);
 * console.log(await stream.closed); // { closeCode: 1000, reason: "" }
 * ```
 */
export class WebSocketStream {
  /** The URL connected to. */
  readonly url: string;
  /** Resolves once open, with the streams. */
  readonly opened: Promise<WebSocketStreamConnection>;
  /** Resolves when the connection closed cleanly; rejects when it failed. */
  readonly closed: Promise<WebSocketCloseInfo>;
  #session: ClientSession;

  /** Starts connecting; options as {@linkcode WebSocketStreamOptions}. */
  constructor(url: string | URL, options: WebSocketStreamOptions = {}) {
    const resolved = resolveClientOptions(options);
    const parsed = new URL(url);
    this.url = parsed.href;
    const readableHighWaterMark = options.readableHighWaterMark ?? 64 * 1024;
    const writableHighWaterMark = options.writableHighWaterMark ?? 64 * 1024;
    let openedResolve!: (value: WebSocketStreamConnection) => void;
    let openedReject!: (error: Error) => void;
    let closedResolve!: (value: WebSocketCloseInfo) => void;
    let closedReject!: (error: Error) => void;
    this.opened = new Promise((resolve, reject) => {
      openedResolve = resolve;
      openedReject = reject;
    });
    this.closed = new Promise((resolve, reject) => {
      closedResolve = resolve;
      closedReject = reject;
    });
    // Unobserved rejections are the application's choice, not a crash.
    this.opened.catch(() => {});
    this.closed.catch(() => {});
    let readController!: ReadableStreamDefaultController<string | Uint8Array>;
    let paused = false;
    let failure: Error | null = null;
    let drainWaiters: (() => void)[] = [];
    const wakeWriters = () => {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const wake of waiters) wake();
    };
    const readable = new ReadableStream<string | Uint8Array>({
      start: (controller) => {
        readController = controller;
      },
      pull: () => {
        if (paused) {
          paused = false;
          this.#session.resumeReading();
        }
      },
      cancel: () => this.#session.close(1000, ""),
    }, { highWaterMark: readableHighWaterMark, size: messageSize });
    const session = this.#session = new ClientSession(parsed, resolved, clientConnectors().load(), {
      open: (protocol, extensions) => openedResolve({ readable, writable, protocol, extensions }),
      message: (data) => {
        readController.enqueue(data);
        if (!paused && (readController.desiredSize ?? 0) <= 0) {
          paused = true;
          session.pauseReading();
        }
      },
      ping: () => {},
      pong: () => {},
      drained: wakeWriters,
      error: (error) => {
        failure = error;
      },
      close: (closeCode, reason, wasClean) => {
        wakeWriters();
        if (failure === null && !wasClean) {
          failure = new ProtocolError(
            "CONNECTION_LOST",
            "Cannot read message: the connection ended without a close frame",
            { closeCode: 1006 },
          );
        }
        if (failure !== null) {
          openedReject(failure);
          closedReject(failure);
          try {
            readController.error(failure);
          } catch { /* already closed */ }
          return;
        }
        try {
          readController.close();
        } catch { /* cancelled */ }
        closedResolve({ closeCode, reason });
      },
    });
    const writable = new WritableStream<string | Uint8Array | ArrayBuffer>({
      write: async (chunk) => {
        if (session.readyState !== 1) {
          throw failure ??
            new ProtocolError("CONNECTION_CLOSED", "Cannot send: the connection is closing");
        }
        session.send(chunk instanceof ArrayBuffer ? new Uint8Array(chunk) : chunk);
        while (session.bufferedAmount > writableHighWaterMark && session.readyState === 1) {
          await new Promise<void>((resolve) => drainWaiters.push(resolve));
        }
      },
      close: () => session.close(1000, ""),
      abort: () => session.close(1000, ""),
    });
  }

  /** Closes with `closeCode` (default 1000) and `reason`. */
  close(info: WebSocketCloseInfo = {}): void {
    this.#session.close(info.closeCode, info.reason ?? "");
  }
}
