/**
 * The two shapes of Redis the backplane talks to, behind one small interface: one Redis (a
 * client for commands and a second connection for sharded pub/sub) or the masters of one Redis
 * Cluster (node-redis' cluster client, which routes each command and each sharded channel to the
 * master that serves its hash slot, and follows slots that move).
 *
 * @module
 */

import { createClient, createCluster } from "redis";

/** @internal A channel listener: the message and its channel, as strings. */
export type ChannelListener = (message: string, channel: string) => void;

/** @internal What the backplane needs from Redis. */
export interface RedisConnection {
  /** Sends one command to the node serving `key`; replies in RESP2 shapes. */
  send(key: string, args: string[]): Promise<unknown>;
  /** `SSUBSCRIBE channel` on the node serving its slot (re-subscribed after moves and reconnects). */
  subscribe(channel: string, listener: ChannelListener): Promise<void>;
  /** `SUNSUBSCRIBE channel`. */
  unsubscribe(channel: string): Promise<void>;
  /**
   * Called after a connection came back or a node was rediscovered; `delivering` is true for the
   * connection publications arrive on (counted as a broker reconnect).
   */
  onReconnect(listener: (delivering: boolean) => void): void;
  connect(): Promise<void>;
  destroy(): void;
}

const RECONNECT_MAX_MS = 2_000;

/** @internal Exponential from 50 ms to 2 s, with jitter so that a fleet does not reconnect in lockstep. */
export function backoff(retries: number): number {
  return Math.min(50 * 2 ** retries, RECONNECT_MAX_MS) * (0.5 + Math.random() / 2);
}

/**
 * @internal One Redis (`urls.length === 1`) or the seed nodes of one Redis Cluster.
 */
export function redisConnection(
  urls: string[],
  onError: (error: unknown) => void,
): RedisConnection {
  return urls.length === 1 ? single(urls[0], onError) : cluster(urls, onError);
}

function single(url: string, onError: (error: unknown) => void): RedisConnection {
  const commands = createClient({
    url,
    // Commands while disconnected fail at once instead of waiting to be sent on reconnect.
    disableOfflineQueue: true,
    RESP: 2,
    socket: { reconnectStrategy: backoff },
  });
  // Subscriptions get their own connection (a subscribed connection takes no other commands).
  const subscriber = commands.duplicate();
  const reconnectListeners: Array<(delivering: boolean) => void> = [];
  let connected = false;
  for (const client of [commands, subscriber]) {
    client.on("error", onError);
    client.on("ready", () => {
      if (!connected) return;
      for (const listener of reconnectListeners) listener(client === subscriber);
    });
  }
  return {
    send: (_key, args) => commands.sendCommand(args) as Promise<unknown>,
    subscribe: (channel, listener) => subscriber.sSubscribe(channel, listener),
    unsubscribe: (channel) => subscriber.sUnsubscribe(channel),
    onReconnect: (listener) => void reconnectListeners.push(listener),
    async connect() {
      await Promise.all([commands.connect(), subscriber.connect()]);
      connected = true;
    },
    destroy() {
      for (const client of [commands, subscriber]) {
        try {
          client.destroy();
        } catch {
          // Already closed.
        }
      }
    },
  };
}

function cluster(urls: string[], onError: (error: unknown) => void): RedisConnection {
  const client = createCluster({
    rootNodes: urls.map((url) => ({ url })),
    RESP: 2,
    defaults: {
      disableOfflineQueue: true,
      socket: { reconnectStrategy: backoff },
    },
  });
  const reconnectListeners: Array<(delivering: boolean) => void> = [];
  let connected = false;
  client.on("error", onError);
  // Sharded subscriptions whose slot moved are re-subscribed by the client at the new master;
  // publications in between are found by the backplane's sweep (see onReconnect).
  client.on("sharded-channel-moved-error", onError);
  client.on("connect", () => {
    if (connected) { for (const listener of reconnectListeners) listener(true); }
  });
  return {
    send: (key, args) => client.sendCommand(key, false, args) as Promise<unknown>,
    subscribe: (channel, listener) => client.sSubscribe(channel, listener),
    unsubscribe: (channel) => client.sUnsubscribe(channel),
    onReconnect: (listener) => void reconnectListeners.push(listener),
    async connect() {
      await client.connect();
      connected = true;
    },
    destroy() {
      try {
        client.destroy();
      } catch {
        // Already closed.
      }
    },
  };
}
