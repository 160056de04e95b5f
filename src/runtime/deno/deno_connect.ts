/**
 * Client connections on Deno (`Deno.connect`, `Deno.connectTls`, `Deno.startTls`).
 *
 * @module
 */

import type {
  ClientConnector,
  ClientConnectRequest,
  ClientTransport,
  ClientTransportHandler,
} from "../../client/client_transport.ts";
import { nodeDeflateCodec } from "../node_deflate_codec.ts";
import { concat } from "./deno_tcp.ts";

interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(noDelay: boolean): void;
}

interface TlsConnectOptions {
  hostname?: string;
  port?: number;
  caCerts?: string[];
}

interface DenoNamespace {
  connect(options: { hostname: string; port: number }): Promise<DenoConn>;
  connectTls(options: TlsConnectOptions): Promise<DenoConn>;
  startTls(conn: DenoConn, options: TlsConnectOptions): Promise<DenoConn>;
  env: { get(name: string): string | undefined };
}

function deno(): DenoNamespace {
  const namespace = (globalThis as { Deno?: DenoNamespace }).Deno;
  if (!namespace) throw new Error("Cannot connect: this runtime is not Deno");
  return namespace;
}

// An idle connection waits in a read with a buffer of its own, so that buffer is most of what
// it costs: 1 KiB while reads come back short, 64 KiB while they fill it (a large message).
const IDLE_READ_SIZE = 1024;
const BUSY_READ_SIZE = 64 * 1024;

/**
 * The client's connector on Deno.
 *
 * @example
 * ```ts ignore
 * const transport = await denoConnector.connect(request, handler);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export const denoConnector: ClientConnector = {
  connect: connectDeno,
  deflateCodec: nodeDeflateCodec,
  env: (name) => {
    try {
      return deno().env.get(name);
    } catch {
      return undefined; // no --allow-env
    }
  },
};

async function connectDeno(
  request: ClientConnectRequest,
  handler: ClientTransportHandler,
): Promise<ClientTransport> {
  const runtime = deno();
  const tunnel = request.tunnel;
  const ca = request.tlsOptions.ca;
  const tlsOptions: TlsConnectOptions = {
    hostname: request.tlsOptions.servername ?? request.hostname,
    caCerts: ca === undefined ? undefined : Array.isArray(ca) ? ca : [ca],
  };
  let conn: DenoConn;
  let early: Uint8Array | null = null;
  if (tunnel) {
    conn = await runtime.connect({ hostname: tunnel.hostname, port: tunnel.port });
    try {
      early = await throughTunnel(conn, tunnel.request, tunnel.readAnswer);
      if (request.tls) conn = await runtime.startTls(conn, tlsOptions);
    } catch (error) {
      conn.close();
      throw error;
    }
  } else if (request.tls) {
    conn = await runtime.connectTls({ ...tlsOptions, port: request.port });
  } else {
    conn = await runtime.connect({ hostname: request.hostname, port: request.port });
  }
  conn.setNoDelay?.(true);
  return new DenoClientTransport(conn, handler, early);
}

async function throughTunnel(
  conn: DenoConn,
  request: Uint8Array,
  readAnswer: (chunk: Uint8Array) => Uint8Array | null,
): Promise<Uint8Array | null> {
  await writeAll(conn, request);
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("Cannot connect through proxy: it closed the connection");
    const rest = readAnswer(buffer.slice(0, n));
    if (rest !== null) return rest.length > 0 ? rest : null;
  }
}

async function writeAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

class DenoClientTransport implements ClientTransport {
  #conn: DenoConn;
  #handler: ClientTransportHandler;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #closing = false;
  #closed = false;
  #paused = false;
  #wake: (() => void) | null = null;

  constructor(conn: DenoConn, handler: ClientTransportHandler, early: Uint8Array | null) {
    this.#conn = conn;
    this.#handler = handler;
    void this.#readLoop(early);
  }

  get queuedBytes(): number {
    return this.#queued;
  }

  async #readLoop(early: Uint8Array | null): Promise<void> {
    if (early !== null) {
      await Promise.resolve();
      this.#handler.data(early);
    }
    try {
      let size = IDLE_READ_SIZE;
      while (!this.#closed) {
        if (this.#paused) {
          await new Promise<void>((resolve) => this.#wake = resolve);
          continue;
        }
        const buffer = new Uint8Array(size);
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.#handler.data(n === size ? buffer : buffer.subarray(0, n));
        size = n === size ? BUSY_READ_SIZE : IDLE_READ_SIZE;
      }
    } catch (error) {
      // A reset, or the TLS handshake (Deno's is lazy) refusing the certificate.
      if (!this.#closed) {
        this.#finish(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    this.#finish();
  }

  #finish(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    this.#wake?.();
    this.#handler.closed(error);
  }

  write(chunks: readonly Uint8Array[]): void {
    if (this.#closed || this.#closing) return;
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.#queue.push(chunk);
      this.#queued += chunk.length;
    }
    if (!this.#writing) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    const hadBacklog = this.#queue.length > 1;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.length === 1 ? this.#queue[0] : concat(this.#queue);
        this.#queue = [];
        await writeAll(this.#conn, batch);
        this.#queued -= batch.length;
      }
    } catch {
      this.#queue = [];
      this.#queued = 0;
      this.#writing = false;
      this.destroy();
      return;
    }
    this.#writing = false;
    if (this.#closing) {
      this.#conn.closeWrite().catch(() => {});
    }
    if (hadBacklog || this.#queued === 0) this.#handler.drained();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  close(): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    if (!this.#writing) this.#conn.closeWrite().catch(() => {});
  }

  destroy(): void {
    this.#finish();
  }
}
