/**
 * The one server core every adapter calls: options resolved once, the peer
 * registry and the topic registry built once, the server object handed back
 * the same way, and one place where a peer opens and closes.
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import type { PeerInit, PeerTransport } from "../api/peer.ts";
import { PeerRegistry } from "../api/peer_registry.ts";
import { PeerSession } from "../api/peer_session.ts";
import {
  type ResolvedServerOptions,
  resolveServerOptions,
  type ServerOptions,
} from "../api/server_options.ts";
import type { Backplane } from "../api/topics/backplane.ts";
import type { NativeFanOut } from "../api/topics/native_fan_out.ts";
import type { PublishOptions, PublishResult } from "../api/topics/publish_options.ts";
import { TopicRegistry } from "../api/topics/topic_registry.ts";
import type { WebSocketServer } from "../api/web_socket_server.ts";

/**
 * What an adapter may add when it builds its core.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ServerCoreExtras {
  /** The runtime writes publications itself (Bun's pub/sub), given the resolved options. */
  fanOut?: (options: ResolvedServerOptions) => NativeFanOut;
  /** A backplane of the adapter's own when the options name none (Durable Object storage). */
  backplane?: (topics: ResolvedServerOptions["topics"]) => Backplane | undefined;
  /** `false`: no topics here (a plain Worker); `peer.subscribe` rejects with `UNSUPPORTED_ON_RUNTIME`. */
  topics?: false;
  /** The registry of open peers, when the caller already has one (Deno's `createUpgrader`). */
  peers?: PeerRegistry;
  /** Called with the resolved options before anything is built from them (runtime codecs). */
  tune?: (options: ResolvedServerOptions) => void;
}

/**
 * How an adapter stops its listener, around the peers' graceful shutdown.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface ServerStop {
  /** Started first, awaited after the peers are gone: stop accepting. */
  stopAccepting?: () => Promise<void> | void;
  /** After the peers are gone: what the listener still holds (handshaking connections). */
  afterPeers?: () => Promise<void> | void;
}

/**
 * The core of one server, shared by every adapter.
 *
 * @example
 * ```ts ignore
 * const core = new ServerCore(handler, options);
 * const session = core.session(transport, init);
 * core.opened(session);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export class ServerCore {
  /** The user's handler, for every connection of this server. */
  handler: Handler<unknown>;
  /** The options, resolved once. */
  readonly options: ResolvedServerOptions;
  /** The open peers. */
  readonly peers: PeerRegistry;
  #topics: TopicRegistry | undefined;
  #makeTopics: () => TopicRegistry;
  #nativeHeartbeat: boolean;

  /**
   * `nativeHeartbeat`: the runtime pings idle peers itself (Deno, Bun,
   * workerd); our heartbeat then stays off.
   */
  constructor(
    handler: Handler<unknown>,
    options: ServerOptions,
    nativeHeartbeat: boolean,
    { fanOut, backplane, tune, peers, topics }: ServerCoreExtras = {},
  ) {
    this.handler = handler;
    const resolved = resolveServerOptions(options);
    tune?.(resolved);
    this.options = resolved;
    this.#nativeHeartbeat = nativeHeartbeat;
    this.peers = peers ?? new PeerRegistry();
    this.#makeTopics = () => {
      const own = resolved.topics.backplane === undefined
        ? backplane?.(resolved.topics)
        : undefined;
      return new TopicRegistry(
        own === undefined ? resolved.topics : { ...resolved.topics, backplane: own },
        fanOut?.(resolved),
      );
    };
    // Built now where topics exist (a backplane may load state at start); a
    // plain Worker has none, and may not make random ids at start-up anyway.
    if (topics !== false) this.#topics = this.#makeTopics();
  }

  /** The server's topics. */
  get topics(): TopicRegistry {
    return this.#topics ??= this.#makeTopics();
  }

  /** A connection was admitted: its peer's session, not open yet. */
  session(transport: PeerTransport, init: PeerInit<unknown>): PeerSession<unknown> {
    return new PeerSession(this.handler, transport, init, {
      options: this.options,
      nativeHeartbeat: this.#nativeHeartbeat,
      topics: this.#topics,
    });
  }

  /** The peer is open: registered, then its `open` hook runs. */
  opened(session: PeerSession<unknown>): void {
    this.peers.add(session.peer);
    session.opened();
  }

  /** The peer is over: forgotten, then its `close` hook runs. */
  closed(session: PeerSession<unknown>, code: number, reason: string, wasClean: boolean): void {
    this.peers.delete(session.peer);
    session.closed(code, reason, wasClean);
  }

  /** Publishes to a topic (see `WebSocketServer.publish`). */
  publish(
    topic: string,
    data: string | Uint8Array,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    return this.topics.publish(topic, data, options);
  }

  /** Subscribers of `topic` in this process. */
  subscriberCount(topic: string): number {
    return this.topics.subscriberCount(topic);
  }

  /** Stops accepting, closes every peer gracefully, then the topics. */
  async shutdown({ stopAccepting, afterPeers }: ServerStop = {}): Promise<void> {
    const stopped = stopAccepting?.();
    await this.peers.shutdown(this.options.shutdownTimeout);
    await stopped;
    await afterPeers?.();
    await this.#topics?.close();
  }

  /** The server object an adapter's `serve()` returns. */
  server(hostname: string, port: number, stop: ServerStop): WebSocketServer {
    return {
      hostname,
      port,
      url: `http://${hostname}:${port}`,
      peers: this.peers,
      publish: (topic, data, options) => this.publish(topic, data, options),
      subscriberCount: (topic) => this.subscriberCount(topic),
      close: () => this.shutdown(stop),
    };
  }
}
