/**
 * What every adapter's `serve()` returns.
 *
 * @module
 */

import type { PeerRegistry } from "./peer_registry.ts";
import type { PublishOptions, PublishResult } from "./topics/publish_options.ts";

/**
 * A running WebSocket server, the same shape on every runtime.
 *
 * @example Graceful shutdown on SIGTERM (Node)
 * ```ts ignore
 * const server = await serve(handler, { port: 8080 });
 * process.on("SIGTERM", () => server.close()); // 1001 to every peer, then exit
 * ```
 */
export interface WebSocketServer {
  /** The address it listens on. */
  readonly hostname: string;
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** `http://hostname:port`. */
  readonly url: string;
  /** The open peers. */
  readonly peers: PeerRegistry;
  /**
   * Publishes to `topic`'s subscribers (see `peer.publish`): resolves with
   * the offset and how many subscribers of this process it was written to.
   * Rejects with a `ProtocolError`: `INVALID_TOPIC`, `PUBLISH_FAILED`.
   */
  publish(
    topic: string,
    data: string | Uint8Array,
    options?: PublishOptions,
  ): Promise<PublishResult>;
  /** Subscribers of `topic` in this process. */
  subscriberCount(topic: string): number;
  /**
   * Stops accepting, sends 1001 to every peer, waits for their close up to
   * `shutdownTimeout`, ends the rest, and resolves when the server is down.
   */
  close(): Promise<void>;
}
