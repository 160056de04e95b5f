/**
 * The Durable Object class behind `createDurableObject`: one server core per
 * instance, each hibernatable socket under a {@linkcode WorkerdTransport},
 * peers restored from their socket attachments after hibernation.
 *
 * @module
 */

import type { Handler } from "../../api/handler.ts";
import { negotiateRequestUpgrade } from "../../api/negotiate_upgrade.ts";
import type { Peer, PeerInit } from "../../api/peer.ts";
import { ProtocolError } from "../../errors/protocol_error.ts";
import { DurableObjectStorageBackplane } from "../../backplanes/durable_object_storage_backplane.ts";
import { ServerCore } from "../../server/server_core.ts";
import type {
  DurableObjectContext,
  DurableObjectOptions,
  DurableObjectState,
  HibernatableWebSocket,
  WebSocketDurableObject,
  WebSocketDurableObjectClass,
} from "./durable_object_types.ts";
import { WorkerdTransport } from "./workerd_transport.ts";
import { upgradeRequired, webSocketPair } from "./workerd_web_socket.ts";

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
 * The Durable Object class serving `handler` (see `createDurableObject`).
 *
 * @example
 * ```ts ignore
 * export const Room = durableObjectClass(handler, {});
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function durableObjectClass(
  handler: Handler<unknown> | ((context: DurableObjectContext) => Handler<unknown>),
  options: DurableObjectOptions,
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
