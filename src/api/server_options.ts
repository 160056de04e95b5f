/**
 * The options every adapter accepts, with the same names and defaults on
 * every runtime.
 *
 * @module
 */

import type { DeflateCodec } from "../protocol/deflate_codec.ts";
import {
  type PerMessageDeflateOptions,
  type ResolvedPerMessageDeflate,
  resolvePerMessageDeflate,
} from "./per_message_deflate_options.ts";

import type { ServerMetrics } from "./metrics/server_metrics.ts";
import {
  DEFAULT_TOPIC_OPTIONS,
  resolveTopicOptions,
  type TopicOptions,
} from "./topics/topic_options.ts";

/**
 * Options shared by every adapter. Each has a default that is safe on the open internet.
 *
 * @example Small messages, a fast heartbeat, one origin
 * ```ts
 * import type { ServerOptions } from "@omnisocket/core";
 *
 * const options: ServerOptions = {
 *   maxMessageSize: 64 * 1024,
 *   heartbeatInterval: 10_000,
 *   allowedOrigins: ["https://app.example.com"],
 * };
 * console.log(options.maxMessageSize); // 65536
 * ```
 */
export interface ServerOptions {
  /** Largest message accepted, in bytes, inclusive; larger ones close with 1009. Default 16 MiB. */
  maxMessageSize?: number;
  /**
   * Milliseconds between pings to each peer; a peer that has not answered the
   * previous ping by the next one is cut off (its `close` hook sees 1006).
   * 0 turns the heartbeat off. Default 30 000.
   */
  heartbeatInterval?: number;
  /** Milliseconds to wait for the peer's close frame after ours before ending the connection. Default 5 000. */
  closeTimeout?: number;
  /**
   * Milliseconds for an upgrade request head to arrive on raw sockets (Node);
   * a request that trickles in (slowloris) is answered 408 and dropped. Default 10 000.
   */
  handshakeTimeout?: number;
  /** Exact `Origin` values allowed to connect; others get 403. Default: any origin. */
  allowedOrigins?: readonly string[];
  /** Subprotocols the server speaks, most preferred first. Default: none. */
  protocols?: readonly string[];
  /**
   * Bytes queued for a peer above which `send()` returns false; the `drain`
   * hook and `peer.drained()` tell when the queue has emptied. Default 1 MiB.
   */
  backpressureLimit?: number;
  /**
   * Bytes queued for a peer above which the peer is closed with 1008: a peer
   * that stops reading cannot make the server hold unbounded memory. Default
   * 16 MiB (as Bun's): no less than the default `maxMessageSize`, so that one
   * largest message to a reading peer never closes it.
   */
  maxBufferedAmount?: number;
  /** Milliseconds `close()` of the server waits for peers to finish their close handshake. Default 5 000. */
  shutdownTimeout?: number;
  /**
   * permessage-deflate (RFC 7692): `true` for the defaults, an object to
   * tune them, `false` to refuse every offer. Default false. Deno's native
   * server cannot compress: there it needs `engine: "omnisocket"`.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * Topics (`peer.subscribe`, `peer.publish`, `server.publish`): limits,
   * history and the backplane. Defaults: 100 topics per peer, names up to
   * 256 UTF-8 bytes, no history, the in-process backplane.
   */
  topics?: TopicOptions;
  /**
   * Where the server core counts what happens (connections, handshakes,
   * messages, closes, topics, backplane; see the README's operations
   * section): give a `new ServerMetrics()` and read it with
   * `metrics.snapshot()` or `prometheusText(metrics.snapshot())`. On a
   * Durable Object each object counts in its own copy (`context.metrics`).
   * Default: none, nothing is counted.
   */
  metrics?: ServerMetrics;
}

/**
 * {@linkcode ServerOptions} with every default filled in, as adapters pass them on.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export type ResolvedServerOptions =
  & Required<
    Omit<ServerOptions, "allowedOrigins" | "perMessageDeflate" | "topics" | "metrics">
  >
  & {
    allowedOrigins: readonly string[] | undefined;
    /** Where the core counts, or undefined when nothing is counted. */
    metrics: ServerMetrics | undefined;
    /** The permessage-deflate settings, or false when it is off. */
    perMessageDeflate: ResolvedPerMessageDeflate | false;
    /** The topics options, resolved (every limit filled in). */
    topics: Required<Omit<TopicOptions, "format" | "backplane">> & TopicOptions & {
      /** The same metrics, for the topic registry. */
      metrics?: ServerMetrics;
    };
    /**
     * Set by an adapter whose runtime has `node:zlib`, not a user option: the
     * codec our engine compresses with.
     */
    deflateCodec?: DeflateCodec;
    /**
     * Set by an adapter, not a user option: the runtime's allocation for
     * message buffers that need not be zeroed (see `ConnectionOptions.allocate`).
     */
    allocate?: (size: number) => Uint8Array;
  };

/**
 * The defaults of {@linkcode ServerOptions}, in one place for the README and every adapter.
 *
 * @example Half the default message size
 * ```ts
 * import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from "@omnisocket/core";
 *
 * const options: ServerOptions = { maxMessageSize: DEFAULT_SERVER_OPTIONS.maxMessageSize / 2 };
 * console.log(options.maxMessageSize); // 8388608
 * ```
 */
export const DEFAULT_SERVER_OPTIONS:
  & Readonly<Required<Omit<ServerOptions, "allowedOrigins" | "metrics">>>
  & {
    readonly allowedOrigins: readonly string[] | undefined;
    readonly metrics: ServerMetrics | undefined;
  } = Object.freeze({
    maxMessageSize: 16 * 1024 * 1024,
    heartbeatInterval: 30_000,
    closeTimeout: 5_000,
    handshakeTimeout: 10_000,
    allowedOrigins: undefined,
    protocols: [],
    backpressureLimit: 1024 * 1024,
    maxBufferedAmount: 16 * 1024 * 1024,
    shutdownTimeout: 5_000,
    perMessageDeflate: false,
    topics: DEFAULT_TOPIC_OPTIONS,
    metrics: undefined,
  });

/**
 * Fills in defaults and rejects nonsense (negative sizes, a backpressure limit
 * above the buffer cap) with a clear error at start-up rather than at the
 * first connection.
 *
 * @example
 * ```ts
 * import { resolveServerOptions } from "./server_options.ts";
 *
 * const options = resolveServerOptions({ maxMessageSize: 1024 });
 * console.log(options.heartbeatInterval); // 30000
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const resolved = { ...DEFAULT_SERVER_OPTIONS } as ResolvedServerOptions;
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_SERVER_OPTIONS)) {
      throw new TypeError(`Cannot create server: unknown option "${name}"`);
    }
    // deno-lint-ignore no-explicit-any
    (resolved as any)[name] = value;
  }
  for (
    const name of [
      "maxMessageSize",
      "heartbeatInterval",
      "closeTimeout",
      "handshakeTimeout",
      "backpressureLimit",
      "maxBufferedAmount",
      "shutdownTimeout",
    ] as const
  ) {
    const value = resolved[name];
    if (typeof value !== "number" || !(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(
        `Cannot create server: ${name} must be a finite number >= 0, got ${value}`,
      );
    }
  }
  resolved.perMessageDeflate = resolvePerMessageDeflate(options.perMessageDeflate);
  resolved.topics = resolveTopicOptions(options.topics);
  if (resolved.metrics !== undefined) {
    if (typeof resolved.metrics.snapshot !== "function") {
      throw new TypeError("Cannot create server: metrics must be a ServerMetrics");
    }
    resolved.topics = { ...resolved.topics, metrics: resolved.metrics };
  }
  if (resolved.backpressureLimit > resolved.maxBufferedAmount) {
    throw new RangeError(
      "Cannot create server: backpressureLimit must not exceed maxBufferedAmount",
    );
  }
  return resolved;
}
