/**
 * The Peer: one open WebSocket connection as every hook sees it, identical on
 * every runtime.
 *
 * @module
 */

import { ProtocolError } from "../errors/protocol_error.ts";
import { isValidCloseCode } from "../frame/is_valid_close_code.ts";
import type { PublishOptions, PublishResult } from "./topics/publish_options.ts";
import type { SubscribeOptions, SubscribeResult } from "./topics/subscribe_options.ts";
import { TopicMember } from "./topics/topic_member.ts";
import type { TopicRegistry } from "./topics/topic_registry.ts";
import type { PeerInit, PeerLimits, PeerState, PeerTransport } from "./peer_transport.ts";

export type { PeerInit, PeerLimits, PeerState, PeerTransport } from "./peer_transport.ts";

const encoder = new TextEncoder();
let nextId = 0;

/**
 * One WebSocket connection. The same object is passed to every hook of a
 * connection, so it can be used as a key (in a `Map`, a `Set`) for its life.
 *
 * Peers are created by the adapters; user code receives them in hooks.
 *
 * @example Backpressure-aware sending
 * ```ts
 * import type { Handler } from "@omnisocket/core";
 *
 * export const handler: Handler = {
 *   async open(peer) {
 *     for (let i = 0; i < 1000; i++) {
 *       if (!peer.send(`tick ${i}`)) await peer.drained();
 *     }
 *     peer.close(1000, "done");
 *   },
 * };
 * ```
 */
export class Peer<Data = undefined> {
  /** Unique within the process, stable for the life of the connection. */
  readonly id: string;
  /** The negotiated subprotocol ("" when none). */
  readonly protocol: string;
  /** The negotiated extensions ("" when none). */
  readonly extensions: string;
  /** The client's "ip:port" where the runtime tells it, else "". */
  readonly remoteAddress: string;
  /** Per-connection data set by the `upgrade` hook; free to change. */
  data: Data;
  #request: Request | (() => Request);
  #transport: PeerTransport;
  #limits: PeerLimits;
  #state: PeerState;
  #topics: TopicRegistry | undefined;

  /**
   * Adapters create peers; see {@linkcode PeerSession}. `topics` is the
   * server's topic registry (none where the runtime has no topics).
   */
  constructor(
    transport: PeerTransport,
    init: PeerInit<Data>,
    limits: PeerLimits,
    state: PeerState,
    topics?: TopicRegistry,
  ) {
    this.id = init.id ?? (++nextId).toString(36);
    this.#request = init.request;
    this.protocol = init.protocol;
    this.extensions = init.extensions;
    this.remoteAddress = init.remoteAddress;
    this.data = init.data;
    this.#transport = transport;
    this.#limits = limits;
    this.#state = state;
    this.#topics = topics;
  }

  /** The upgrade request, as a Web `Request`. */
  get request(): Request {
    if (typeof this.#request === "function") this.#request = this.#request();
    return this.#request;
  }

  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  get readyState(): 0 | 1 | 2 | 3 {
    return this.#state.readyState;
  }

  /** Bytes queued for this peer and not yet handed to the operating system. */
  get bufferedAmount(): number {
    return this.#transport.bufferedAmount;
  }

  /**
   * Sends a message: a string as text, bytes as binary. Returns false when
   * the message could not be sent (the peer is not open) or when the queue is
   * now above `backpressureLimit` — the message is queued then, and
   * `drained()` resolves once the queue is empty. A peer whose queue passes
   * `maxBufferedAmount` is closed with 1008.
   *
   * `options.compress`, where permessage-deflate was negotiated: false sends
   * the message uncompressed, true compresses it even below the
   * `threshold`; unset, messages from the threshold up are compressed.
   */
  send(data: string | ArrayBuffer | ArrayBufferView, options?: { compress?: boolean }): boolean {
    if (this.#state.readyState !== 1) return false;
    const buffered = this.#transport.send(
      typeof data === "string" || data instanceof Uint8Array ? data : toSendable(data),
      options?.compress,
    );
    if (buffered > this.#limits.maxBufferedAmount) {
      this.close(1008, "send buffer overflow");
      return false;
    }
    if (buffered > this.#limits.backpressureLimit) {
      this.#state.awaitingDrain = true;
      this.#transport.watchDrain?.();
      return false;
    }
    return true;
  }

  /** Resolves when the send queue is empty (at once if it already is or the peer is closed). */
  drained(): Promise<void> {
    if (this.#state.readyState === 3 || this.#transport.bufferedAmount === 0) {
      return Promise.resolve();
    }
    this.#state.awaitingDrain = true;
    this.#transport.watchDrain?.();
    return new Promise((resolve) => (this.#state.drainWaiters ??= []).push(resolve));
  }

  /**
   * Starts the close handshake. The code must be valid on the wire (1000,
   * 1001–1003, 1007–1014, 3000–4999) and the reason at most 123 bytes of UTF-8;
   * otherwise this throws and the connection stays open.
   */
  close(code: number = 1000, reason: string = ""): void {
    if (!isValidCloseCode(code)) {
      throw new ProtocolError(
        "INVALID_CLOSE_CODE",
        `Cannot close: ${code} is not a close code an endpoint may send`,
      );
    }
    if (encoder.encode(reason).length > 123) {
      throw new ProtocolError(
        "CLOSE_REASON_TOO_LONG",
        "Cannot close: the reason is longer than 123 bytes of UTF-8",
      );
    }
    if (this.#state.readyState >= 2) return;
    this.#state.readyState = 2;
    this.#transport.close(code, reason);
  }

  /** Ends the connection at once, without a close handshake. */
  terminate(): void {
    if (this.#state.readyState === 3) return;
    this.#state.readyState = 2;
    this.#transport.terminate();
  }

  /**
   * Subscribes to `topic`: publications to it are written to this peer, in
   * the topic's one order and in order with this peer's own `send()`s. With
   * `since` (an offset received earlier), the publications after it are
   * written first when all are still held (`recovered: true`), else only
   * live ones follow. `onReady` runs right before the first publication of
   * the subscription can be written. Subscribing again answers again and
   * never doubles delivery.
   *
   * Rejects with a `ProtocolError`: `INVALID_TOPIC` (empty, or longer than
   * `topics.maxTopicLength` UTF-8 bytes), `TOO_MANY_TOPICS` (past
   * `topics.maxTopicsPerPeer`), `PEER_NOT_OPEN`, `SUBSCRIBE_FAILED` (the
   * backplane did not answer), `UNSUPPORTED_ON_RUNTIME` (an adapter without
   * topics, e.g. a plain Cloudflare Worker).
   *
   * @example A chat room
   * ```ts
   * import type { Handler } from "@omnisocket/core";
   *
   * export const handler: Handler = {
   *   async open(peer) {
   *     await peer.subscribe("lobby");
   *   },
   *   async message(peer, message) {
   *     await peer.publish("lobby", message.text(), { self: true });
   *   },
   * };
   * ```
   */
  subscribe(topic: string, options?: SubscribeOptions): Promise<SubscribeResult> {
    const topics = this.#topics;
    if (topics === undefined) return Promise.reject(unsupported("subscribe"));
    return topics.subscribe(this.#member(topics), topic, options);
  }

  /** Leaves `topic`: nothing more of it is written once this returns. Not subscribed: nothing happens. */
  unsubscribe(topic: string): void {
    const member = this.#state.member as TopicMember | null | undefined;
    if (member) this.#topics?.unsubscribe(member, topic);
  }

  /** The topics this peer subscribes to (a fresh set). */
  get topics(): ReadonlySet<string> {
    return new Set((this.#state.member as TopicMember | null | undefined)?.subscriptions.keys());
  }

  /**
   * Publishes to `topic`'s subscribers, this peer excluded unless
   * `options.self`. Resolves with the publication's offset and how many
   * subscribers of this process it was written to; rejects with a
   * `ProtocolError`: `INVALID_TOPIC`, `PEER_NOT_OPEN`, `PUBLISH_FAILED`
   * (the backplane did not accept it), `UNSUPPORTED_ON_RUNTIME`.
   */
  publish(
    topic: string,
    data: string | ArrayBuffer | ArrayBufferView,
    options?: PublishOptions,
  ): Promise<PublishResult> {
    const topics = this.#topics;
    if (topics === undefined) return Promise.reject(unsupported("publish"));
    return topics.publish(topic, toSendable(data), options, this.#member(topics));
  }

  #member(topics: TopicRegistry): TopicMember {
    return (this.#state.member ??= new TopicMember(
      this as Peer<unknown>,
      this.#transport,
      this.#limits,
      this.#state,
      topics,
    )) as TopicMember;
  }

  /** Sends a ping (at most 125 bytes of payload). */
  ping(payload: string | Uint8Array = new Uint8Array(0)): void {
    const bytes = typeof payload === "string" ? encoder.encode(payload) : payload;
    if (bytes.length > 125) {
      throw new ProtocolError(
        "CONTROL_FRAME_TOO_LONG",
        "Cannot ping: the payload is longer than 125 bytes",
      );
    }
    if (this.#state.readyState === 1) this.#transport.ping(bytes);
  }
}

function unsupported(action: string): ProtocolError {
  return new ProtocolError(
    "UNSUPPORTED_ON_RUNTIME",
    `Cannot ${action}: this adapter has no topics (on Cloudflare, serve from a Durable Object)`,
  );
}

function toSendable(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string" || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError("Cannot send: data must be a string, an ArrayBuffer or an ArrayBufferView");
}
