/**
 * Client connections on Node and Bun (`node:net`, `node:tls`), for the client.
 *
 * @module
 */

import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type {
  ClientConnector,
  ClientConnectRequest,
  ClientTransport,
  ClientTransportHandler,
} from "../../client/client_transport.ts";
import { nodeDeflateCodec } from "../node_deflate_codec.ts";
import { uninitialisedBytes } from "./uninitialised_bytes.ts";

/**
 * The client's connector on Node and Bun.
 *
 * @example
 * ```ts ignore
 * const transport = await nodeConnector.connect(request, handler);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const nodeConnector: ClientConnector = {
  connect: connectNode,
  deflateCodec: nodeDeflateCodec,
  allocate: uninitialisedBytes,
  env: (name) => {
    const process = (globalThis as { process?: { env: Record<string, string | undefined> } })
      .process;
    return process?.env[name];
  },
};

async function connectNode(
  request: ClientConnectRequest,
  handler: ClientTransportHandler,
): Promise<ClientTransport> {
  const tunnel = request.tunnel;
  let socket: Socket;
  let early: Uint8Array | null = null;
  if (tunnel) {
    socket = await opened(netConnect({ host: tunnel.hostname, port: tunnel.port }), "connect");
    early = await throughTunnel(socket, tunnel.request, tunnel.readAnswer);
  } else if (!request.tls) {
    socket = await opened(netConnect({ host: request.hostname, port: request.port }), "connect");
  }
  if (request.tls) {
    const options = request.tlsOptions;
    const secure = tlsConnect({
      socket: tunnel ? socket! : undefined,
      host: request.hostname,
      port: request.port,
      servername: options.servername ??
        (isIpAddress(request.hostname) ? undefined : request.hostname),
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ALPNProtocols: ["http/1.1"],
    });
    socket = await opened(secure, "secureConnect");
  }
  return new NodeClientTransport(socket!, handler, early);
}

function isIpAddress(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(":");
}

function opened(socket: Socket, event: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.once("error", onError);
    socket.once(event, () => {
      socket.off("error", onError);
      resolve(socket);
    });
  });
}

function throughTunnel(
  socket: Socket,
  request: Uint8Array,
  readAnswer: (chunk: Uint8Array) => Uint8Array | null,
): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const onData = (chunk: Uint8Array) => {
      let rest: Uint8Array | null;
      try {
        rest = readAnswer(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      } catch (error) {
        cleanup();
        socket.destroy();
        reject(error);
        return;
      }
      if (rest === null) return;
      cleanup();
      socket.pause();
      resolve(rest.length > 0 ? rest : null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error("Cannot connect through proxy: it closed the connection"));
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.write(request);
  });
}

// The socket's listeners, shared by every connection (no closures per connection): Node calls
// them with the socket as `this`, which carries its handler.
const HANDLER = Symbol("omnisocket.clientHandler");
type HandledSocket = Socket & { [HANDLER]: ClientTransportHandler };

function onData(this: HandledSocket, chunk: Uint8Array): void {
  this[HANDLER].data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
}

function onDrain(this: HandledSocket): void {
  this[HANDLER].drained();
}

function onError(this: HandledSocket): void {
  this.destroy();
}

function onClose(this: HandledSocket): void {
  this[HANDLER].closed();
}

class NodeClientTransport implements ClientTransport {
  #socket: Socket;

  constructor(socket: Socket, handler: ClientTransportHandler, early: Uint8Array | null) {
    this.#socket = socket;
    socket.setNoDelay(true);
    (socket as HandledSocket)[HANDLER] = handler;
    socket.on("data", onData);
    socket.on("drain", onDrain);
    socket.on("error", onError);
    socket.once("close", onClose);
    if (early !== null) queueMicrotask(() => handler.data(early));
    socket.resume();
  }

  get queuedBytes(): number {
    return this.#socket.writableLength;
  }

  write(chunks: readonly Uint8Array[]): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    if (chunks.length === 1) {
      socket.write(chunks[0]);
      return;
    }
    socket.cork();
    for (const chunk of chunks) socket.write(chunk);
    socket.uncork();
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  close(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
