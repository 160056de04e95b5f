/**
 * The one connection interface under our engine: a byte stream, whatever
 * carries it (a node:net socket, a Deno.Conn, a Bun socket; a client's
 * socket or an HTTP/2 stream alike), and the listener that accepts them.
 *
 * @module
 */

/**
 * One byte stream, seen from the code that serves it.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ByteStream {
  /** The client's "ip:port". */
  readonly remoteAddress: string;
  /** Bytes accepted by `write` and not yet sent. */
  readonly queuedBytes: number;
  /** Queues bytes; the chunks of one call leave together where the runtime allows. */
  write(chunks: readonly Uint8Array[]): void;
  /** Closes once everything written has been sent. */
  close(): void;
  /** Drops the connection now, pending writes and all. */
  destroy(): void;
  /**
   * Sends the last chunks and closes, like `write` then `close`, but may put
   * both off until the read under way is over: a client that sends its close
   * frame and resets at once is then seen gone before its reply is written,
   * and a write that could only fail is skipped. `write` + `close` where absent.
   */
  closeWith?(chunks: readonly Uint8Array[]): void;
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
export interface ByteStreamHandler {
  /** Bytes arrived; the chunk is the handler's to keep or mutate. */
  data(chunk: Uint8Array): void;
  /** The write queue emptied after a backlog. */
  drained(): void;
  /** The connection is gone. */
  closed(): void;
  /**
   * The peer finished sending (FIN) and may still read. True while an
   * answer is still being prepared: the stream then stays open until
   * `close`, `closeWith` or `destroy`. False or absent: the stream closes now.
   */
  ended?(): boolean;
}

/**
 * A running listener.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface StreamListener {
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
export interface ListenOptions {
  hostname: string;
  port: number;
}

/**
 * Called for every accepted connection.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export type AcceptStream = (connection: ByteStream) => ByteStreamHandler;
