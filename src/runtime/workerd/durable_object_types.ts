/**
 * The workerd types of the Durable Object adapter (the parts of workerd's
 * API it uses, typed locally: no workers-types needed), and its options.
 *
 * @module
 */

import type { PeerRegistry } from "../../api/peer_registry.ts";
import type { ServerOptions } from "../../api/server_options.ts";
import type { PublishOptions, PublishResult } from "../../api/topics/publish_options.ts";
import type { DurableObjectStorage } from "../../backplanes/durable_object_storage_backplane.ts";

/** The parts of a hibernatable workerd WebSocket this adapter uses, typed locally. */
export interface HibernatableWebSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued (absent on older workerd builds). */
  readonly bufferedAmount?: number;
  /** Queues a message. */
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  /** Starts (or answers) the close handshake. */
  close(code?: number, reason?: string): void;
  /** Stores a structured-cloneable value that survives hibernation. */
  serializeAttachment(value: unknown): void;
  /** The value stored by `serializeAttachment`, or null. */
  deserializeAttachment(): unknown;
}

/** The parts of the Durable Object state (`ctx`) this adapter uses, typed locally. */
export interface DurableObjectState {
  /** Accepts a socket for hibernation: its events come to the object's `webSocket*` methods. */
  acceptWebSocket(socket: HibernatableWebSocket, tags?: string[]): void;
  /** Every socket accepted with `acceptWebSocket` and not yet closed. */
  getWebSockets(tag?: string): HibernatableWebSocket[];
  /** The object's transactional storage (key-value API). */
  storage: DurableObjectStorage;
  /** Holds every event until `callback` settles (used once, to load topic history positions). */
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** What a handler factory receives: the object's state, its bindings and its server. */
export interface DurableObjectContext {
  /** The Durable Object state (`ctx.storage`, `ctx.id`, ...). */
  ctx: DurableObjectState;
  /** The bindings (`env`). */
  env: unknown;
  /** The open peers of this instance. */
  peers: PeerRegistry;
  /** Publishes to a topic's subscribers in this instance, as `server.publish` does elsewhere. */
  publish(
    topic: string,
    data: string | Uint8Array,
    options?: PublishOptions,
  ): Promise<PublishResult>;
  /** Subscribers of `topic` in this instance. */
  subscriberCount(topic: string): number;
}

/** Options of the Durable Object adapter: the shared {@linkcode ServerOptions} plus a plain-HTTP handler. */
export interface DurableObjectOptions extends ServerOptions {
  /** Answers requests that reach the object and are not WebSocket upgrades. Default: 426. */
  fetch?: (request: Request) => Response | Promise<Response>;
  /**
   * Where the last `topics.history` publications of each topic are kept for
   * `subscribe(topic, { since })`. `"memory"` (default): in the instance, so
   * they are lost when it hibernates or is evicted (an older offset then
   * recovers nothing). `"storage"`: in `ctx.storage`, surviving both, at the
   * price of two storage writes (and a delete) per publish. Ignored with
   * `topics.backplane`.
   */
  topicHistory?: "memory" | "storage";
}

/** The Durable Object instance workerd drives: `fetch` for upgrades, then the hibernation events. */
export interface WebSocketDurableObject {
  /** Upgrades (after our handshake validation and the `upgrade` hook) or answers a plain request. */
  fetch(request: Request): Promise<Response>;
  /** A message arrived on an accepted socket. */
  webSocketMessage(socket: HibernatableWebSocket, message: string | ArrayBuffer): void;
  /** The client closed, or the connection ended. */
  webSocketClose(
    socket: HibernatableWebSocket,
    code: number,
    reason: string,
    wasClean: boolean,
  ): void;
  /** The connection failed. */
  webSocketError(socket: HibernatableWebSocket, error: unknown): void;
}

/** The class {@linkcode createDurableObject} returns, to export under the binding's class name. */
export type WebSocketDurableObjectClass = new (
  ctx: DurableObjectState,
  env: unknown,
) => WebSocketDurableObject;
