/**
 * The byte stream a client connection runs over, and what a runtime gives the
 * client to open one: the seam between the runtime-neutral client and each
 * runtime's TCP/TLS.
 *
 * @module
 */

import type { DeflateCodec } from "../protocol/deflate_codec.ts";

/**
 * One outgoing TCP (or TLS) connection, seen from the client.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ClientTransport {
  /** Bytes accepted by `write` and not yet sent. */
  readonly queuedBytes: number;
  /** Queues bytes; the chunks of one call leave together where the runtime allows. */
  write(chunks: readonly Uint8Array[]): void;
  /** Stops reading from the socket (backpressure) until `resume`. */
  pause(): void;
  /** Reads again after `pause`. */
  resume(): void;
  /** Closes once everything written has been sent. */
  close(): void;
  /** Drops the connection now. */
  destroy(): void;
}

/**
 * What the transport reports.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ClientTransportHandler {
  /** Bytes arrived; the chunk is the handler's to keep or mutate. */
  data(chunk: Uint8Array): void;
  /** The write queue emptied after a backlog. */
  drained(): void;
  /**
   * The connection is gone (after `connect` resolved); called once, with the
   * error when it failed (a reset, a TLS certificate refused on first read).
   */
  closed(error?: Error): void;
}

/**
 * TLS settings for `wss:` (and an `https:` proxy).
 *
 * @example Trusting a private CA
 * ```ts
 * import type { ClientTlsOptions } from "@omnisocket/core/client";
 *
 * const tls: ClientTlsOptions = { ca: "-----BEGIN CERTIFICATE-----\n..." };
 * ```
 */
export interface ClientTlsOptions {
  /** PEM certificates to trust instead of the runtime's default store. */
  ca?: string | string[];
  /** Server name to verify and to send in SNI; default the URL's host name. */
  servername?: string;
  /**
   * Verify the server's certificate; default true. False is for tests only and
   * is ignored on Deno, which always verifies (use `ca` there).
   */
  rejectUnauthorized?: boolean;
  /** PEM client certificate and key, for mutual TLS (Node and Bun). */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
}

/**
 * Where to connect and how.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ClientConnectRequest {
  hostname: string;
  port: number;
  /** Wrap the connection in TLS (a `wss:` URL). */
  tls: boolean;
  tlsOptions: ClientTlsOptions;
  /**
   * Bytes to send to a proxy first (an HTTP CONNECT request head), and the
   * check of its answer: called with each chunk until it returns the bytes
   * that followed the answer's head (usually none). TLS starts after it.
   */
  tunnel?: {
    hostname: string;
    port: number;
    request: Uint8Array;
    readAnswer(chunk: Uint8Array): Uint8Array | null;
  };
}

/**
 * One runtime's way to open client connections.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ClientConnector {
  /** Opens the connection; rejects when it cannot. `handler` gets the bytes after the tunnel. */
  connect(request: ClientConnectRequest, handler: ClientTransportHandler): Promise<ClientTransport>;
  /** The runtime's zlib as a permessage-deflate codec. */
  deflateCodec(): DeflateCodec;
  /** Memory for a message joined from several reads, written over in full (default zeroed). */
  allocate?: (size: number) => Uint8Array;
  /** An environment variable, or undefined (also when reading it is not allowed). */
  env(name: string): string | undefined;
}
