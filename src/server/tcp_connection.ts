/**
 * The shape every runtime's raw TCP listener gives a connection, so the
 * same raw-socket server code runs over node:net, Deno.listen and Bun.listen.
 *
 * @module
 */

/**
 * One accepted TCP connection, seen from the server.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface TcpConnection {
  /** The client's "ip:port". */
  readonly remoteAddress: string;
  /** Bytes accepted by `write` and not yet sent. */
  readonly queuedBytes: number;
  /** Queues bytes; the chunks of one call leave together where the runtime allows. */
  write(chunks: readonly Uint8Array[]): void;
  /** Closes once everything written has been sent. */
  close(): void;
  /** Drops the connection now. */
  destroy(): void;
  /**
   * Asks for one `drained()` once everything written so far has been sent,
   * for a runtime that reports only the end of a backlog past its own
   * threshold (Node's `drain`): someone waits for a smaller queue to empty.
   */
  watchDrain?(): void;
}

/**
 * What the listener reports about a connection.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface TcpConnectionHandler {
  /** Bytes arrived; the chunk is the handler's to keep or mutate. */
  data(chunk: Uint8Array): void;
  /** The write queue emptied after a backlog. */
  drained(): void;
  /** The connection is gone. */
  closed(): void;
}

/**
 * A running listener.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface TcpListener {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting; open connections stay with their handlers. */
  close(): Promise<void>;
}

/**
 * Where to listen; port 0 picks a free one.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface TcpListenOptions {
  hostname: string;
  port: number;
}

/**
 * Called for every accepted connection.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export type AcceptTcp = (connection: TcpConnection) => TcpConnectionHandler;
