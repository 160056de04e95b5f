/**
 * omnisocket in a Cloudflare Durable Object, on the WebSocket Hibernation
 * API: {@linkcode createDurableObject} makes the Durable Object class that
 * serves a {@linkcode Handler}, {@linkcode createDurableObjectFetch} the
 * Worker `fetch` that routes upgrades to one of its instances.
 *
 * Sockets are accepted with `ctx.acceptWebSocket`, so the object may be
 * evicted from memory (hibernate) while its clients stay connected; workerd
 * then calls `webSocketMessage`, `webSocketClose` and `webSocketError` on a
 * fresh instance. What a peer needs to come back is kept in the socket's
 * attachment (`serializeAttachment`): its id, `peer.data`, subprotocol,
 * address and the upgrade request's URL and headers. On wake the constructor
 * rebuilds every peer from `ctx.getWebSockets()` and those attachments,
 * without running `open` again. `peer.data` is saved after the `upgrade`,
 * `open` and `message` hooks (once their promises settle), so it must be
 * structured-cloneable and fit the attachment limit (16 KiB serialized in
 * workerd 1.20261117; the request headers are dropped from it first when it
 * does not fit).
 * Anything else in memory (module or instance state) is gone after
 * hibernation: keep what must last in `ctx.storage`.
 *
 * Topics work as on every other adapter, within one instance (one room per
 * instance is the usual shape): each instance has its own topic registry,
 * and peers' subscriptions come back from their attachments on wake. Topic
 * history is in memory by default (lost on hibernation: `since` with an
 * older offset then answers `recovered: false`), or in `ctx.storage` with
 * `topicHistory: "storage"` (it survives hibernation and eviction).
 *
 * Everything the Worker adapter says about workerd applies here too (no
 * server ping, `bufferedAmount` polled for `drain`, `terminate()` sends 1001);
 * in addition workerd answers the client's close frame itself, so a
 * forbidden close code cannot be answered with 1002 (the `error` hook still
 * reports it).
 *
 * @module
 */

import type { Handler } from "../api/handler.ts";
import { negotiateRequestUpgrade } from "../api/negotiate_upgrade.ts";
import type { Peer, PeerInit } from "../api/peer.ts";
import type { PeerRegistry } from "../api/peer_registry.ts";
import type { ServerOptions } from "../api/server_options.ts";
import type { PublishOptions, PublishResult } from "../api/topics/publish_options.ts";
import { ProtocolError } from "../errors/protocol_error.ts";
import {
  type DurableObjectStorage,
  DurableObjectStorageBackplane,
} from "../backplanes/durable_object_storage_backplane.ts";
import { upgradeRequired, webSocketPair } from "../runtime/workerd/workerd_web_socket.ts";
import { WorkerdTransport } from "../runtime/workerd/workerd_transport.ts";
import { ServerCore } from "../server/server_core.ts";

export {
  type DurableObjectStorage,
  DurableObjectStorageBackplane,
} from "../backplanes/durable_object_storage_backplane.ts";
export {
  createDurableObjectFetch,
  type DurableObjectFetchOptions,
  type DurableObjectNamespace,
} from "../runtime/workerd/durable_object_fetch.ts";

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

/** What survives hibernation for one peer, in its socket's attachment. */
interface PeerAttachment {
  id: string;
  data: unknown;
  protocol: string;
  remoteAddress: string;
  url: string;
  headers: [string, string][] | null;
  topics: string[];
}

interface Connection {
  transport: WorkerdTransport;
  attachment: PeerAttachment;
}

/**
 * Makes the Durable Object class that serves `handler` on hibernatable
 * WebSockets. `handler` may be a function of the object's
 * {@linkcode DurableObjectContext} (for its storage, bindings and peers);
 * it is called once per instance, again after each wake from hibernation.
 *
 * @example A chat room per URL path (wrangler.toml binds ROOMS to class Room)
 * ```ts ignore
 * import { createDurableObject, createDurableObjectFetch } from "@omnisocket/core/cloudflare-do";
 *
 * export const Room = createDurableObject(({ peers }) => ({
 *   message(peer, message) {
 *     for (const other of peers.values()) other.send(message.data);
 *   },
 * }));
 *
 * export default {
 *   fetch: createDurableObjectFetch({
 *     binding: "ROOMS",
 *     objectName: (request) => new URL(request.url).pathname,
 *   }),
 * };
 * ```
 */
export function createDurableObject<Data = undefined>(
  handler: Handler<Data> | ((context: DurableObjectContext) => Handler<Data>),
  options: DurableObjectOptions = {},
): WebSocketDurableObjectClass {
  const { fetch: plainFetch, topicHistory = "memory", ...shared } = options;
  return class implements WebSocketDurableObject {
    #ctx: DurableObjectState;
    #core: ServerCore;
    #connections = new Map<HibernatableWebSocket, Connection>();
    #sockets = new Map<Peer<unknown>, HibernatableWebSocket>();

    constructor(ctx: DurableObjectState, env: unknown) {
      this.#ctx = ctx;
      const core = new ServerCore({}, shared, true, {
        backplane: (topics) => {
          if (topicHistory !== "storage" || topics.history === 0) return undefined;
          const backplane = new DurableObjectStorageBackplane(ctx.storage, topics.history);
          // Positions in memory before any event: publishes are then synchronous.
          void ctx.blockConcurrencyWhile(() => backplane.load());
          return backplane;
        },
      });
      this.#core = core;
      const user = typeof handler === "function"
        ? handler({
          ctx,
          env,
          peers: core.peers,
          publish: (topic, data, options) => core.publish(topic, data, options),
          subscriberCount: (topic) => core.subscriberCount(topic),
        })
        : handler;
      core.handler = savingPeerData(user as Handler<unknown>, (peer) => this.#save(peer));
      // Woken from hibernation (or first start): every socket still connected
      // gets its peer back before any event is handled.
      for (const socket of ctx.getWebSockets()) this.#restore(socket);
    }

    async fetch(request: Request): Promise<Response> {
      if (!request.headers.has("upgrade")) {
        return plainFetch ? await plainFetch(request) : upgradeRequired();
      }
      const remoteAddress = request.headers.get("cf-connecting-ip") ?? "";
      const core = this.#core;
      const outcome = await negotiateRequestUpgrade(
        core.handler,
        core.options,
        request,
        remoteAddress,
      );
      if (!outcome.accepted) return outcome.response;
      const protocol = outcome.acceptance.protocol ?? "";
      const pair = new (webSocketPair<WebSocketPairOf>("the Durable Object adapter"))();
      const socket = pair[1];
      this.#ctx.acceptWebSocket(socket);
      const attachment: PeerAttachment = {
        id: crypto.randomUUID(),
        data: outcome.data,
        protocol,
        remoteAddress,
        url: request.url,
        headers: [...request.headers],
        topics: [],
      };
      if (storeAttachment(socket, attachment) !== undefined) {
        socket.close(1011, "");
        return new Response(
          "Cannot accept upgrade: the upgrade hook's data cannot be kept in the socket attachment (not structured-cloneable, or too large)\n",
          { status: 500, headers: { "Content-Type": "text/plain; charset=utf-8" } },
        );
      }
      const connection = this.#attach(socket, attachment, request);
      const headers = new Headers(outcome.headers);
      if (protocol !== "") headers.set("Sec-WebSocket-Protocol", protocol);
      const init: ResponseInit & { webSocket: unknown } = {
        status: 101,
        headers,
        webSocket: pair[0],
      };
      const response = new Response(null, init);
      connection.transport.open();
      return response;
    }

    webSocketMessage(socket: HibernatableWebSocket, message: string | ArrayBuffer): void {
      const connection = this.#connections.get(socket) ?? this.#restore(socket);
      connection?.transport.receive(
        typeof message === "string" ? message : new Uint8Array(message),
      );
    }

    webSocketClose(
      socket: HibernatableWebSocket,
      code: number,
      reason: string,
      wasClean: boolean,
    ): void {
      const connection = this.#connections.get(socket) ?? this.#restore(socket);
      // Without web_socket_auto_reply_to_close (compatibility dates before
      // 2026-04-07) the answer to the client's close frame is ours to send.
      connection?.transport.closeEvent(code, reason, wasClean, true);
    }

    webSocketError(socket: HibernatableWebSocket, error: unknown): void {
      const connection = this.#connections.get(socket) ?? this.#restore(socket);
      if (connection === undefined) return;
      const { session } = connection.transport;
      // workerd reports "Network connection lost." after some clean closes.
      if (session.peer.readyState !== 3) {
        session.failed(error instanceof Error ? error : new Error(String(error)));
      }
      connection.transport.finish(1006, "", false);
    }

    #attach(
      socket: HibernatableWebSocket,
      attachment: PeerAttachment,
      request: Request | (() => Request),
    ): Connection {
      const init: PeerInit<unknown> = {
        id: attachment.id,
        request,
        data: attachment.data,
        protocol: attachment.protocol,
        extensions: "",
        remoteAddress: attachment.remoteAddress,
      };
      const transport = new DurableObjectTransport(this.#core, socket, init, () => {
        this.#connections.delete(socket);
        this.#sockets.delete(transport.session.peer);
      });
      const connection: Connection = { transport, attachment };
      this.#connections.set(socket, connection);
      this.#sockets.set(transport.session.peer, socket);
      return connection;
    }

    // A socket accepted before the last hibernation: its peer comes back open.
    #restore(socket: HibernatableWebSocket): Connection | undefined {
      const attachment = socket.deserializeAttachment() as PeerAttachment | null;
      if (attachment === null || typeof attachment !== "object" || !("id" in attachment)) {
        return undefined; // not a socket of ours
      }
      const connection = this.#attach(socket, attachment, () =>
        new Request(attachment.url, {
          headers: attachment.headers ?? [],
        }));
      const { session } = connection.transport;
      const { peer } = session;
      this.#core.peers.add(peer);
      session.resumed();
      // The registry is new: the peer's subscriptions come back from the
      // attachment (in process they go live at once, before any event).
      for (const topic of attachment.topics ?? []) {
        peer.subscribe(topic).catch((error) => session.failed(error));
      }
      if (socket.readyState !== 1) {
        // Closing: the close event will finish it; the peer must not send.
        if (socket.readyState !== 0) connection.transport.markCloseSent();
      }
      return connection;
    }

    #save(peer: Peer<unknown>): void {
      const socket = this.#sockets.get(peer);
      const connection = socket && this.#connections.get(socket);
      if (!socket || !connection) return;
      connection.attachment.data = peer.data;
      connection.attachment.topics = [...peer.topics];
      const refused = storeAttachment(socket, connection.attachment);
      if (refused !== undefined) {
        connection.transport.session.failed(
          new ProtocolError(
            "PEER_DATA_NOT_SAVED",
            "Cannot save peer.data: workerd refused it as the socket attachment (not structured-cloneable, or over its size limit), so it would not survive hibernation",
            { cause: refused },
          ),
        );
      }
    }
  };
}

// peer.data must be in the attachment by the time the object may hibernate:
// after each hook that may change it (once its promise settles).
function savingPeerData(handler: Handler<unknown>, save: (peer: Peer<unknown>) => void) {
  const wrapped: Handler<unknown> = { ...handler };
  const { open, message } = handler;
  if (open) {
    wrapped.open = (peer) => afterHook(open.call(handler, peer), () => save(peer));
  }
  if (message) {
    wrapped.message = (peer, data) =>
      afterHook(message.call(handler, peer, data), () => save(peer));
  }
  return wrapped;
}

function afterHook(result: void | Promise<void>, then: () => void): void | Promise<void> {
  if (result instanceof Promise) return result.finally(then);
  then();
}

// Headers are the first thing to go when the attachment is over workerd's limit.
// Returns workerd's refusal, or undefined once stored.
function storeAttachment(socket: HibernatableWebSocket, attachment: PeerAttachment): unknown {
  try {
    socket.serializeAttachment(attachment);
    return undefined;
  } catch (error) {
    if (attachment.headers === null) return error ?? new Error("refused");
    attachment.headers = null;
    return storeAttachment(socket, attachment);
  }
}

type WebSocketPairOf = { 0: unknown; 1: HibernatableWebSocket };

// A Durable Object's socket: the object forgets it when it closes.
class DurableObjectTransport extends WorkerdTransport {
  #forget: () => void;

  constructor(
    core: ServerCore,
    socket: HibernatableWebSocket,
    init: PeerInit<unknown>,
    forget: () => void,
  ) {
    super(core, socket, init, "Durable Objects");
    this.#forget = forget;
  }

  protected override forget(): void {
    this.#forget();
  }
}
