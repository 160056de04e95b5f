/**
 * Raw TCP on Bun (`Bun.listen`), for the omnisocket engine and raw examples.
 *
 * @module
 */

import type {
  AcceptStream,
  ByteStreamHandler,
  ListenOptions,
  StreamListener,
} from "../../server/byte_stream.ts";
import { BunWriteQueue } from "./bun_write_queue.ts";

interface BunSocket {
  data: SocketState;
  readonly remoteAddress: string;
  write(bytes: Uint8Array): number;
  end(): void;
  terminate(): void;
  setNoDelay?(noDelay: boolean): void;
}

interface SocketState {
  handler: ByteStreamHandler;
  queue: BunWriteQueue;
  ending: boolean;
  /** Set while a graceful close waits for the peer to go quiet. */
  quietTimer?: ReturnType<typeof setTimeout>;
  closeDeadline: number;
}

// How long a half-closed connection may wait for the peer's own close.
const LINGER_MS = 2_000;
// How long the peer must stay quiet before a closing socket is ended.
const QUIET_MS = 50;

interface BunRuntime {
  listen(options: {
    hostname: string;
    port: number;
    tls?: { cert: string; key: string };
    socket: Record<string, (socket: BunSocket, data?: Uint8Array) => void>;
  }): { readonly hostname: string; readonly port: number; stop(closeActive?: boolean): void };
}

/**
 * Listens with `Bun.listen` (over TLS with `tls`) and hands each connection to `accept`.
 *
 * @example
 * ```ts ignore
 * const listener = listenBunTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
 *   data: (chunk) => connection.write([chunk]),
 *   drained: () => {},
 *   closed: () => {},
 * }));
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function listenBunTcp(options: ListenOptions, accept: AcceptStream): StreamListener {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (!bun) throw new Error("Cannot listen: this runtime is not Bun");
  const listener = bun.listen({
    hostname: options.hostname,
    port: options.port,
    ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
    socket: {
      open(socket) {
        socket.setNoDelay?.(true);
        const state: SocketState = {
          handler: undefined!,
          queue: new BunWriteQueue(),
          ending: false,
          closeDeadline: 0,
        };
        socket.data = state;
        state.handler = accept({
          remoteAddress: socket.remoteAddress,
          get queuedBytes() {
            return state.queue.bytes;
          },
          write(chunks) {
            if (state.ending) return;
            if (state.queue.add(chunks)) flush(socket, state);
          },
          close() {
            if (state.ending) return;
            state.ending = true;
            if (state.queue.empty) closeGracefully(socket, state);
          },
          destroy: () => socket.terminate(),
        });
      },
      data(socket, data) {
        const state = socket.data;
        if (state.quietTimer !== undefined) {
          // Closing: the peer is still talking, so wait for it to finish.
          closeWhenQuiet(socket, state);
          return;
        }
        // Bun may reuse the buffer it hands us; the handler owns its chunk.
        state.handler.data(data!.slice());
      },
      drain(socket) {
        if (flush(socket, socket.data)) socket.data.handler.drained();
      },
      close(socket) {
        clearTimeout(socket.data.quietTimer);
        socket.data.handler.closed();
      },
      error(socket) {
        socket.terminate();
      },
    },
  });
  return {
    hostname: listener.hostname,
    port: listener.port,
    close: () => Promise.resolve(listener.stop(false)),
  };
}

// Writes what Bun takes; true when nothing is left queued.
function flush(socket: BunSocket, state: SocketState): boolean {
  if (!state.queue.flush(socket)) return false;
  if (state.ending) closeGracefully(socket, state);
  return true;
}

// Bun resets a half-closed socket when the peer keeps sending (seen here in
// about 2% of connections), and a reset can destroy our close frame before
// the peer reads it. So the socket is ended only once the peer has been
// quiet for a moment, or when the linger time is up.
function closeGracefully(socket: BunSocket, state: SocketState): void {
  state.closeDeadline = Date.now() + LINGER_MS;
  closeWhenQuiet(socket, state);
}

function closeWhenQuiet(socket: BunSocket, state: SocketState): void {
  clearTimeout(state.quietTimer);
  const wait = Math.min(QUIET_MS, Math.max(0, state.closeDeadline - Date.now()));
  state.quietTimer = setTimeout(() => socket.end(), wait);
}
