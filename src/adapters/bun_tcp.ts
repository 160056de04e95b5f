/**
 * Raw TCP on Bun (`Bun.listen`), for the omnisocket engine and raw examples.
 *
 * @module
 */

import type {
  AcceptTcp,
  TcpConnectionHandler,
  TcpListener,
  TcpListenOptions,
} from "./tcp_connection.ts";

interface BunSocket {
  data: SocketState;
  readonly remoteAddress: string;
  write(bytes: Uint8Array): number;
  end(): void;
  terminate(): void;
  setNoDelay?(noDelay: boolean): void;
}

interface SocketState {
  handler: TcpConnectionHandler;
  // Bun writes what it can and says how much; the rest waits for `drain`.
  pending: Uint8Array[];
  queuedBytes: number;
  ending: boolean;
}

interface BunRuntime {
  listen(options: {
    hostname: string;
    port: number;
    socket: Record<string, (socket: BunSocket, data?: Uint8Array) => void>;
  }): { readonly hostname: string; readonly port: number; stop(closeActive?: boolean): void };
}

/**
 * Listens with `Bun.listen` and hands each connection to `accept`.
 *
 * @example
 * ```ts ignore
 * const listener = listenBunTcp({ hostname: "127.0.0.1", port: 0 }, (connection) => ({
 *   data: (chunk) => connection.write([chunk]),
 *   drained: () => {},
 *   closed: () => {},
 * }));
 * ```
 */
export function listenBunTcp(options: TcpListenOptions, accept: AcceptTcp): TcpListener {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  if (!bun) throw new Error("Cannot listen: this runtime is not Bun");
  const listener = bun.listen({
    hostname: options.hostname,
    port: options.port,
    socket: {
      open(socket) {
        socket.setNoDelay?.(true);
        const state: SocketState = {
          handler: undefined!,
          pending: [],
          queuedBytes: 0,
          ending: false,
        };
        socket.data = state;
        state.handler = accept({
          remoteAddress: socket.remoteAddress,
          get queuedBytes() {
            return state.queuedBytes;
          },
          write(chunks) {
            if (state.ending) return;
            for (const chunk of chunks) {
              state.pending.push(chunk);
              state.queuedBytes += chunk.length;
            }
            if (state.pending.length === chunks.length) flush(socket, state);
          },
          close() {
            state.ending = true;
            if (state.pending.length === 0) socket.end();
          },
          destroy: () => socket.terminate(),
        });
      },
      data(socket, data) {
        // Bun may reuse the buffer it hands us; the handler owns its chunk.
        socket.data.handler.data(data!.slice());
      },
      drain(socket) {
        if (flush(socket, socket.data)) socket.data.handler.drained();
      },
      close(socket) {
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
  while (state.pending.length > 0) {
    const chunk = state.pending[0];
    const written = Math.max(socket.write(chunk), 0);
    state.queuedBytes -= written;
    if (written < chunk.length) {
      state.pending[0] = chunk.subarray(written);
      return false;
    }
    state.pending.shift();
  }
  if (state.ending) socket.end();
  return true;
}
