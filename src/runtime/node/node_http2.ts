/**
 * WebSockets over HTTP/2 on Node (RFC 8441): an extended CONNECT stream
 * (`:method CONNECT`, `:protocol websocket`) of a `node:http2` secure server
 * served as one more byte stream by our engine.
 *
 * The engine speaks HTTP/1.1 for its handshake; here the stream's request
 * becomes the equivalent HTTP/1.1 upgrade head (so negotiation, hooks,
 * subprotocols and permessage-deflate are exactly those of HTTP/1.1) and the
 * engine's HTTP/1.1 answer becomes HTTP/2 response headers: `101` becomes
 * `:status 200`, and the fields HTTP/2 forbids or RFC 8441 §5 leaves out
 * (`Connection`, `Upgrade`, `Sec-WebSocket-Accept`) are dropped.
 *
 * @module
 */

import { Buffer as NodeBuffer } from "node:buffer";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { TlsOptions } from "../../api/tls_options.ts";
import type { ListenOptions, StreamListener } from "../../server/byte_stream.ts";
import { listenOn } from "./node_tcp.ts";
import {
  constants,
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from "node:http2";
import { HeaderMap } from "../../handshake/header_map.ts";
import type { RequestHead } from "../../handshake/http_head_parser.ts";
import type { ByteStream, ByteStreamHandler } from "../../server/byte_stream.ts";

// How long a stream we ended may wait for the client's own END_STREAM.
const LINGER_MS = 2_000;

// RFC 8441 §5: no Sec-WebSocket-Key on HTTP/2. The engine's HTTP/1.1
// validation wants one; its Accept, computed from this key, is never sent.
const PLACEHOLDER_KEY = "AAAAAAAAAAAAAAAAAAAAAA==";

// Request fields that are HTTP/1.1's own and stand in for the pseudo-headers.
const REPLACED_REQUEST_FIELDS = new Set([
  "host",
  "connection",
  "upgrade",
  "sec-websocket-key",
]);

// Response fields HTTP/2 forbids (RFC 9113 §8.2.2) or RFC 8441 §5 leaves out.
const DROPPED_RESPONSE_FIELDS = new Set([
  "connection",
  "upgrade",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "sec-websocket-accept",
]);

/**
 * A WebSocket connection served by the engine: the stream's handler, and
 * what a GOAWAY asks of it.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface Http2WebSocketHandler extends ByteStreamHandler {
  /** Starts the WebSocket close handshake. */
  close(code?: number, reason?: string): void;
}

/**
 * Serves one extended CONNECT stream: the stream and its request, already
 * parsed into an HTTP/1.1 upgrade head. `undefined`: not for us (404).
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export type AcceptHttp2WebSocket = (
  stream: ByteStream,
  head: RequestHead,
) => Http2WebSocketHandler | undefined;

/**
 * Whether an HTTP/2 request opens a WebSocket (RFC 8441 §4).
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function isWebSocketConnect(headers: IncomingHttpHeaders): boolean {
  return headers[":method"] === "CONNECT" && headers[":protocol"] === "websocket";
}

/**
 * Takes the extended CONNECT streams of `server` for `accept` (other streams
 * go on to the server's own `stream` and `request` listeners) and announces
 * `SETTINGS_ENABLE_CONNECT_PROTOCOL` to the sessions that start from now.
 * Returns the function that undoes both.
 *
 * @example
 * ```ts ignore
 * const server = createSecureServer({ cert, key, allowHTTP1: true });
 * const release = takeHttp2WebSockets(server, (stream, head) => new EngineConnection(context, stream, { scheme: "https", head }));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function takeHttp2WebSockets(
  server: Http2SecureServer,
  accept: AcceptHttp2WebSocket,
): () => void {
  // The compatibility API (the server's `request` listeners) is itself a
  // `stream` listener: a WebSocket stream must never reach it, or it would
  // answer the CONNECT too. So the stream is taken before any listener runs.
  const emit = server.emit;
  const intercepting = function (
    this: Http2SecureServer,
    event: string | symbol,
    ...args: unknown[]
  ): boolean {
    if (event === "stream" && isWebSocketConnect(args[1] as IncomingHttpHeaders)) {
      acceptHttp2WebSocket(args[0] as ServerHttp2Stream, args[1] as IncomingHttpHeaders, accept);
      return true;
    }
    return emit.call(this, event, ...args);
  };
  server.emit = intercepting as typeof server.emit;
  server.updateSettings({ enableConnectProtocol: true });
  return () => {
    if (server.emit === intercepting) server.emit = emit;
    server.updateSettings({ enableConnectProtocol: false });
  };
}

/**
 * Serves one extended CONNECT stream with `accept`.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function acceptHttp2WebSocket(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  accept: AcceptHttp2WebSocket,
): void {
  const connection = new Http2StreamConnection(stream);
  const handler = accept(connection, upgradeHeadOf(headers));
  if (handler !== undefined) {
    connection.serve(handler);
    return;
  }
  stream.on("error", () => {});
  stream.respond({ ":status": 404 }, { endStream: true });
}

// The HTTP/1.1 upgrade request equivalent to an extended CONNECT.
function upgradeHeadOf(headers: IncomingHttpHeaders): RequestHead {
  const pairs: [string, string][] = [
    ["host", String(headers[":authority"] ?? "localhost")],
    ["upgrade", "websocket"],
    ["connection", "Upgrade"],
    ["sec-websocket-key", PLACEHOLDER_KEY],
  ];
  for (const name in headers) {
    if (name.startsWith(":") || REPLACED_REQUEST_FIELDS.has(name)) continue;
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) { for (const item of value) pairs.push([name, item]); }
    else pairs.push([name, String(value)]);
  }
  return {
    method: "GET",
    target: String(headers[":path"] ?? "/"),
    httpVersion: "1.1",
    headers: new HeaderMap(pairs),
    rest: new Uint8Array(0),
  };
}

// Sessions with WebSocket streams, and those streams' handlers: a GOAWAY
// from the client closes them with 1001.
const sessionHandlers = new WeakMap<Http2Session, Set<Http2WebSocketHandler>>();

function onGoaway(this: Http2Session): void {
  const handlers = sessionHandlers.get(this);
  if (handlers === undefined) return;
  for (const handler of handlers) handler.close(1001, "");
}

/**
 * One HTTP/2 stream as a {@linkcode ByteStream}. The first bytes the engine
 * writes are its HTTP/1.1 response head; they become the stream's response
 * headers, and everything after goes out as DATA. HTTP/2 flow control shows
 * as `queuedBytes` (bytes the client's window does not admit yet wait in the
 * stream) and ends in `drain`.
 */
class Http2StreamConnection implements ByteStream {
  readonly remoteAddress: string;
  #stream: ServerHttp2Stream;
  #handler: Http2WebSocketHandler | undefined;
  #responded = false;
  #head: Uint8Array[] = [];
  #watchingDrain = false;
  #closing = false;

  constructor(stream: ServerHttp2Stream) {
    this.#stream = stream;
    const socket = stream.session?.socket;
    this.remoteAddress = `${socket?.remoteAddress}:${socket?.remotePort}`;
  }

  serve(handler: Http2WebSocketHandler): void {
    this.#handler = handler;
    const stream = this.#stream;
    const session = stream.session;
    if (session !== undefined) {
      let handlers = sessionHandlers.get(session);
      if (handlers === undefined) {
        handlers = new Set();
        sessionHandlers.set(session, handlers);
        session.on("goaway", onGoaway);
      }
      handlers.add(handler);
    }
    stream.on("data", (chunk: NodeBuffer) => {
      handler.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    stream.on("drain", () => handler.drained());
    // END_STREAM from the client is its FIN (RFC 8441 §5): as on TCP, our side ends too
    // unless an answer is still being prepared.
    stream.on("end", () => {
      if (!handler.ended?.()) this.close();
    });
    // A reset or a lost session ends in `close` too: the engine reports 1006.
    stream.on("error", () => {});
    stream.on("close", () => {
      if (session !== undefined) sessionHandlers.get(session)?.delete(handler);
      handler.closed();
    });
  }

  get queuedBytes(): number {
    return this.#stream.writableLength;
  }

  write(chunks: readonly Uint8Array[]): void {
    const stream = this.#stream;
    if (stream.destroyed || this.#closing) return;
    if (!this.#responded) {
      chunks = this.#respond(chunks);
      if (!this.#responded) return;
    }
    for (const chunk of chunks) stream.write(chunk);
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    const stream = this.#stream;
    if (stream.destroyed) return;
    if (!this.#responded) {
      stream.close(constants.NGHTTP2_CANCEL);
      return;
    }
    stream.end();
    setTimeout(() => {
      if (!stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
    }, LINGER_MS).unref();
  }

  destroy(): void {
    const stream = this.#stream;
    if (!stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
  }

  watchDrain(): void {
    const stream = this.#stream;
    if (this.#watchingDrain || stream.destroyed || stream.writableEnded) return;
    this.#watchingDrain = true;
    stream.write(NOTHING, () => {
      this.#watchingDrain = false;
      this.#handler?.drained();
    });
  }

  // Collects the HTTP/1.1 head, answers with its HTTP/2 equivalent, and
  // returns the bytes that follow it.
  #respond(chunks: readonly Uint8Array[]): readonly Uint8Array[] {
    this.#head.push(...chunks);
    const bytes = NodeBuffer.concat(this.#head);
    const end = bytes.indexOf("\r\n\r\n");
    if (end < 0) return [];
    this.#head = [];
    this.#responded = true;
    const lines = bytes.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(lines[0].split(" ")[1]);
    const headers: Record<string, string | string[]> = {
      ":status": String(status === 101 ? 200 : status),
    };
    for (let index = 1; index < lines.length; index++) {
      const colon = lines[index].indexOf(":");
      const name = lines[index].slice(0, colon).trim().toLowerCase();
      if (DROPPED_RESPONSE_FIELDS.has(name)) continue;
      const value = lines[index].slice(colon + 1).trim();
      const previous = headers[name];
      if (previous === undefined) headers[name] = value;
      else headers[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    }
    this.#stream.respond(headers);
    const body = bytes.subarray(end + 4);
    return body.length > 0 ? [new Uint8Array(body.buffer, body.byteOffset, body.length)] : [];
  }
}

const NOTHING = new Uint8Array(0);

// What answerWithFetch uses of node:http's and node:http2's response objects.
interface PlainResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string>): unknown;
  end(body?: Uint8Array | string): unknown;
}

/**
 * Answers one plain HTTP request (HTTP/1.1 or HTTP/2, through Node's
 * compatibility API) with `fetch`.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export async function answerWithFetch(
  request: IncomingMessage | Http2ServerRequest,
  response: PlainResponse,
  fetch: ((request: Request) => Response | Promise<Response>) | undefined,
): Promise<void> {
  try {
    if (fetch === undefined) {
      response.writeHead(400, { "content-type": "text/plain" });
      response.end("Expected a WebSocket upgrade\n");
      return;
    }
    const headers = new Headers();
    for (const name in request.headers) {
      if (name.startsWith(":")) continue;
      const value = request.headers[name];
      if (Array.isArray(value)) { for (const item of value) headers.append(name, item); }
      else if (value !== undefined) headers.set(name, String(value));
    }
    const host = request.headers[":authority"] ?? request.headers.host ?? "localhost";
    const method = request.method ?? "GET";
    let body: Uint8Array<ArrayBuffer> | undefined;
    if (method !== "GET" && method !== "HEAD") {
      const parts: Uint8Array[] = [];
      for await (const part of request as AsyncIterable<Uint8Array>) parts.push(part);
      body = new Uint8Array(NodeBuffer.concat(parts));
    }
    const answer = await fetch(
      new Request(`https://${host}${request.url ?? "/"}`, { method, headers, body }),
    );
    const bytes = new Uint8Array(await answer.arrayBuffer());
    const outgoing: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!DROPPED_RESPONSE_FIELDS.has(name) && name !== "content-length") outgoing[name] = value;
    });
    outgoing["content-length"] = String(bytes.length);
    response.writeHead(answer.status, outgoing);
    response.end(bytes);
  } catch {
    if (!response.headersSent) response.writeHead(500);
    response.end();
  }
}

/**
 * Listens with a `node:http2` secure server (ALPN `h2`, `http/1.1` on the
 * same port): extended CONNECT streams go to `accept`, HTTP/1.1 upgrades to
 * `upgrade`, other requests of either version to `fetch`.
 *
 * @example
 * ```ts ignore
 * const listener = await listenNodeHttp2({ hostname: "127.0.0.1", port: 0, tls }, accept, upgrade, fetch);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export async function listenNodeHttp2(
  options: ListenOptions & { tls: TlsOptions },
  accept: AcceptHttp2WebSocket,
  upgrade: (request: IncomingMessage, socket: Duplex, rest: Uint8Array) => void,
  fetch: ((request: Request) => Response | Promise<Response>) | undefined,
): Promise<StreamListener> {
  const server = createSecureServer(
    { cert: options.tls.cert, key: options.tls.key, allowHTTP1: true },
    (request, response) => void answerWithFetch(request, response, fetch),
  );
  takeHttp2WebSockets(server, accept);
  server.on("upgrade", upgrade);
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  const port = await listenOn(server, options);
  return {
    hostname: options.hostname,
    port,
    close: () => {
      server.close();
      // GOAWAY to every session: open streams finish, no new ones start.
      for (const session of sessions) session.close();
      return Promise.resolve();
    },
  };
}
