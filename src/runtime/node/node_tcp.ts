/**
 * Raw TCP on Node (`node:net`), for the Node adapter and raw examples.
 *
 * @module
 */

import { createServer, type Server as NetServer, type Socket } from "node:net";
import type {
  AcceptStream,
  ByteStream,
  ByteStreamHandler,
  ListenOptions,
  StreamListener,
} from "../../server/byte_stream.ts";

// How long a half-closed connection may wait for the peer's own close.
const LINGER_MS = 2_000;

/**
 * Listens with `node:net` and hands each connection to `accept`.
 *
 * @example
 * ```ts ignore
 * const listener = await listenNodeTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
 *   data: (chunk) => connection.write([chunk]),
 *   drained: () => {},
 *   closed: () => {},
 * }));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export async function listenNodeTcp(
  options: ListenOptions,
  accept: AcceptStream,
): Promise<StreamListener> {
  // Half-open: a client may send its request and FIN at once, and still read the answer.
  const server = createServer(
    { allowHalfOpen: true },
    (socket) => acceptNodeSocket(socket, accept),
  );
  const port = await listenOn(server, options);
  return {
    hostname: options.hostname,
    port,
    // Stops accepting at once; Node's callback would wait for every open connection.
    close: () => Promise.resolve(void server.close()),
  };
}

/**
 * Starts `server` listening where `options` say; resolves with the port it
 * got (a free one for port 0), rejects with the listen error.
 *
 * @example
 * ```ts ignore
 * const port = await listenOn(createServer(), { hostname: "127.0.0.1", port: 0 });
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export async function listenOn(server: NetServer, options: ListenOptions): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as { port: number }).port;
}

/**
 * Hands one `node:net` socket (or the socket of node:http's `upgrade`
 * event) to `accept` as a {@linkcode ByteStream}.
 *
 * @example
 * ```ts ignore
 * httpServer.on("upgrade", (request, socket) => acceptNodeSocket(socket, accept));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function acceptNodeSocket(socket: Socket, accept: AcceptStream): void {
  socket.setNoDelay(true);
  const connection = new NodeTcpConnection(socket);
  (socket as HandledSocket)[CONNECTION] = connection;
  (socket as HandledSocket)[HANDLER] = accept(connection);
  // The same five listener functions for every socket (`this` is the socket):
  // no closures per connection.
  socket.on("data", onData);
  socket.on("drain", onDrain);
  socket.on("end", onEnd);
  socket.on("error", onError);
  socket.on("close", onClose);
}

const HANDLER = Symbol("omnisocket.handler");
const CONNECTION = Symbol("omnisocket.connection");

interface HandledSocket extends Socket {
  [HANDLER]: ByteStreamHandler;
  [CONNECTION]: NodeTcpConnection;
}

// Node reads Buffers; hooks get plain Uint8Arrays on every runtime (a
// Buffer's slice() shares memory and its toString() differs).
function onData(this: HandledSocket, chunk: Uint8Array): void {
  this[HANDLER].data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
}

function onDrain(this: HandledSocket): void {
  this[HANDLER].drained();
}

// The peer's FIN: end ours too, unless an answer is still on its way.
function onEnd(this: HandledSocket): void {
  // Already closing: the last writes end the socket themselves.
  if (this[CONNECTION].closing) return;
  if (!this[HANDLER].ended?.()) this.end();
}

function onError(this: HandledSocket): void {
  this.destroy();
}

function onClose(this: HandledSocket): void {
  lingering.delete(this);
  this[HANDLER].closed();
}

// Sockets we half-closed, by the time their peer's FIN is due. One sweep for
// all of them rather than a timer per connection: at thousands of closes a
// second the timers cost more than the closes. Deadlines only grow, so the
// sweep stops at the first socket still in time.
const lingering = new Map<Socket, number>();
let sweeper: ReturnType<typeof setInterval> | undefined;

function linger(socket: Socket): void {
  if (!lingering.has(socket)) lingering.set(socket, Date.now() + LINGER_MS);
  sweeper ??= setInterval(sweepLingering, LINGER_MS / 4).unref();
}

function sweepLingering(): void {
  const now = Date.now();
  for (const [socket, deadline] of lingering) {
    if (deadline > now) break;
    lingering.delete(socket);
    socket.destroy();
  }
  if (lingering.size === 0) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

// Last writes and closes, put off past the next poll of the event loop. A
// client that sends its close frame and resets at once (phones, reconnect
// storms) hands us both in one read: libuv reports the bytes, stops reading,
// and only the next poll sees the reset. Replying at once would fail with
// EPIPE, and Node formats a stack trace for every failed write (a tenth of
// such a server's time). Put off, the reply finds the socket destroyed and is
// skipped; a peer still there gets it one loop turn later. One pair of
// immediates serves every connection closing in the same turn.
let closingSoon: (NodeTcpConnection | readonly Uint8Array[])[] = [];
let closingScheduled = false;

function closeAfterNextPoll(connection: NodeTcpConnection, chunks: readonly Uint8Array[]): void {
  closingSoon.push(connection, chunks);
  if (closingScheduled) return;
  closingScheduled = true;
  setImmediate(passNextPoll);
}

// Runs in this turn's check phase; the immediate it sets runs after the next poll.
function passNextPoll(): void {
  const batch = closingSoon;
  closingSoon = [];
  closingScheduled = false;
  setImmediate(closeBatch, batch);
}

function closeBatch(batch: (NodeTcpConnection | readonly Uint8Array[])[]): void {
  for (let i = 0; i < batch.length; i += 2) {
    (batch[i] as NodeTcpConnection).finishClose(batch[i + 1] as readonly Uint8Array[]);
  }
}

class NodeTcpConnection implements ByteStream {
  readonly remoteAddress: string;
  #socket: Socket;
  #watchingDrain = false;
  #closing = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
  }

  get queuedBytes(): number {
    return this.#socket.writableLength;
  }

  /** Whether `close` or `closeWith` was called. */
  get closing(): boolean {
    return this.#closing;
  }

  write(chunks: readonly Uint8Array[]): void {
    const socket = this.#socket;
    if (socket.destroyed || this.#closing) return;
    // One writev for everything produced by one read or one tick.
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
  }

  // end() half-closes and keeps reading until the peer's FIN; the linger
  // timer ends a peer that never sends one.
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    const socket = this.#socket;
    socket.end();
    linger(socket);
  }

  closeWith(chunks: readonly Uint8Array[]): void {
    if (this.#closing) return;
    this.#closing = true;
    closeAfterNextPoll(this, chunks);
  }

  /** The put-off half of {@linkcode closeWith}: nothing to do if the peer is gone. */
  finishClose(chunks: readonly Uint8Array[]): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (chunks.length > 0) {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    socket.end();
    linger(socket);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  // Node emits `drain` only after a write that went past the stream's
  // highWaterMark; a smaller queue empties silently. An empty write's
  // callback runs once every write before it is done.
  watchDrain(): void {
    const socket = this.#socket;
    if (this.#watchingDrain || socket.destroyed || socket.writableEnded) return;
    this.#watchingDrain = true;
    socket.write(NOTHING, () => {
      this.#watchingDrain = false;
      (socket as HandledSocket)[HANDLER].drained();
    });
  }
}

const NOTHING = new Uint8Array(0);
