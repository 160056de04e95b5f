/**
 * Client connections on Bun with its own sockets (`Bun.connect`): no
 * `node:net` stream layer between the socket and the client. Connections
 * through a proxy tunnel use the `node:net` connector.
 *
 * @module
 */

import type {
  ClientConnector,
  ClientConnectRequest,
  ClientTransport,
  ClientTransportHandler,
} from "../../client/client_transport.ts";
import { nodeConnector } from "../node/node_connect.ts";
import { BunWriteQueue } from "./bun_write_queue.ts";

interface BunClientSocket {
  data: BunClientTransport;
  write(bytes: Uint8Array): number;
  end(): void;
  terminate(): void;
  pause?(): void;
  resume?(): void;
  setNoDelay?(noDelay: boolean): void;
}

interface BunConnectRuntime {
  connect(options: {
    hostname: string;
    port: number;
    tls?: {
      ca?: string | string[];
      cert?: string;
      key?: string;
      serverName?: string;
      rejectUnauthorized?: boolean;
    };
    data: BunClientTransport;
    socket: {
      open(socket: BunClientSocket): void;
      data(socket: BunClientSocket, chunk: Uint8Array): void;
      drain(socket: BunClientSocket): void;
      close(socket: BunClientSocket, error?: Error): void;
      error(socket: BunClientSocket, error: Error): void;
      connectError?(socket: BunClientSocket, error: Error): void;
    };
  }): Promise<BunClientSocket>;
}

/**
 * The client's connector on Bun.
 *
 * @example
 * ```ts ignore
 * const transport = await bunConnector.connect(request, handler);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const bunConnector: ClientConnector = {
  ...nodeConnector,
  connect(request, handler) {
    return request.tunnel ? nodeConnector.connect(request, handler) : connectBun(request, handler);
  },
};

// One set of socket callbacks for every connection: the state is the socket's `data`.
const callbacks = {
  open(_socket: BunClientSocket): void {},
  data(socket: BunClientSocket, chunk: Uint8Array): void {
    // Bun may reuse the buffer it hands us; the handler owns its chunk.
    socket.data.handler.data(chunk.slice());
  },
  drain(socket: BunClientSocket): void {
    const transport = socket.data;
    if (transport.flush()) transport.handler.drained();
  },
  close(socket: BunClientSocket, error?: Error): void {
    socket.data.ended(error);
  },
  error(socket: BunClientSocket, _error: Error): void {
    socket.terminate();
  },
};

async function connectBun(
  request: ClientConnectRequest,
  handler: ClientTransportHandler,
): Promise<ClientTransport> {
  const bun = (globalThis as { Bun?: BunConnectRuntime }).Bun;
  if (bun === undefined) throw new Error("Cannot connect: this runtime is not Bun");
  const options = request.tlsOptions;
  const transport = new BunClientTransport(handler);
  const socket = await bun.connect({
    hostname: request.hostname,
    port: request.port,
    tls: request.tls
      ? {
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        serverName: options.servername ?? request.hostname,
        rejectUnauthorized: options.rejectUnauthorized ?? true,
      }
      : undefined,
    data: transport,
    socket: callbacks,
  });
  socket.setNoDelay?.(true);
  transport.socket = socket;
  return transport;
}

class BunClientTransport implements ClientTransport {
  handler: ClientTransportHandler;
  socket: BunClientSocket | null = null;
  #queue = new BunWriteQueue();
  #ending = false;
  #closed = false;

  constructor(handler: ClientTransportHandler) {
    this.handler = handler;
  }

  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  write(chunks: readonly Uint8Array[]): void {
    if (this.#ending || this.#closed) return;
    if (this.#queue.add(chunks)) this.flush();
  }

  // Writes what Bun takes; true when nothing is left queued.
  flush(): boolean {
    const socket = this.socket;
    if (socket === null || !this.#queue.flush(socket)) return false;
    if (this.#ending) socket.end();
    return true;
  }

  pause(): void {
    this.socket?.pause?.();
  }

  resume(): void {
    this.socket?.resume?.();
  }

  close(): void {
    if (this.#ending) return;
    this.#ending = true;
    if (this.#queue.empty) this.socket?.end();
  }

  destroy(): void {
    this.socket?.terminate();
  }

  ended(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.handler.closed(error);
  }
}
