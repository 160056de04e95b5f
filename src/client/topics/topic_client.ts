/**
 * The topic client: the client side of the topics protocol (`topicsProtocol`)
 * on omnisocket's client by default (the runtime's sockets on Node, Deno and
 * Bun; the platform's `WebSocket` in browsers), or any WHATWG `WebSocket`. Reconnects,
 * resubscribes with offsets, detects dead connections, acknowledges publishes.
 *
 * @module
 */

import { WebSocket as OurWebSocket } from "../web_socket.ts";

/** The part of a WHATWG `WebSocket` the topic client uses. */
export interface TopicClientSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Called once open. */
  onopen: ((event: unknown) => void) | null;
  /** Called per message (`data` a string for a text message). */
  onmessage: ((event: { data: unknown }) => void) | null;
  /** Called once closed. */
  onclose: ((event: { code: number }) => void) | null;
  /** Called on an error (a close follows). */
  onerror: ((event: unknown) => void) | null;
  /** Sends a text message. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
}

/** A `WebSocket` constructor (omnisocket's client by default). */
export type TopicClientSocketConstructor = new (url: string) => TopicClientSocket;

/** Options of {@linkcode TopicClient}. */
export interface TopicClientOptions {
  /**
   * The `WebSocket` class to connect with. Default: omnisocket's client
   * (`@omnisocket/core/client`), strict on every runtime.
   */
  WebSocket?: TopicClientSocketConstructor;
  /** First reconnection delay ceiling, in ms (doubles on every failed attempt). Default 250. */
  minDelay?: number;
  /** Largest reconnection delay ceiling, in ms. Default 8 000. */
  maxDelay?: number;
  /**
   * A connection on which nothing (no message, no pong) arrived for this many
   * ms, or that did not open within it, is dead: it is dropped and the next
   * URL tried. Default 20 000 (with `pingInterval`, a frozen server is left
   * within 24 s).
   */
  timeout?: number;
  /** A ping is sent after this many ms without anything received. Default 5 000. */
  pingInterval?: number;
  /**
   * What `publish` does while disconnected: `"reject"` (default) rejects at
   * once; `{ queue: N }` keeps at most N publishes, sent once connected
   * (past N, `publish` rejects).
   */
  offline?: "reject" | { queue: number };
  /** Aborting it closes the client for good. */
  signal?: AbortSignal;
}

/** A message of a topic. */
export interface TopicMessage {
  /** The topic. */
  readonly topic: string;
  /** Its data (any JSON value). */
  readonly data: unknown;
  /** Its offset ("epoch:position"). */
  readonly offset: string;
}

/** What a {@linkcode TopicClient} reports; see `client.on()`. */
export interface TopicClientEvents {
  /** A connection opened, to `url`. */
  open: { url: string };
  /**
   * A connection ended (1006 when it was dropped as dead or never opened);
   * `opened` says whether it had opened.
   */
  close: { url: string; code: number; opened: boolean };
  /**
   * The server answered a (re)subscription. `recovered` is true when nothing
   * was missed since the last offset received (always false the first time).
   */
  subscribed: { topic: string; recovered: boolean; resumed: boolean };
  /** A message of a subscribed topic. */
  message: TopicMessage;
  /** An error reply the client could not tie to a publish (bad input, not allowed). */
  error: { reason: string; topic?: string };
}

interface PendingPublish {
  id: string;
  topic: string;
  data: unknown;
  sent: boolean;
  resolve(offset: string): void;
  reject(error: Error): void;
}

interface TopicState {
  offset: string;
  queue: TopicMessage[];
  waiters: ((result: IteratorResult<TopicMessage>) => void)[];
  iterating: number;
}

/** A listener of one event of {@linkcode TopicClient}. */
export type TopicClientListener<K extends keyof TopicClientEvents> = (
  event: TopicClientEvents[K],
) => void;
type Listener<K extends keyof TopicClientEvents> = TopicClientListener<K>;

// "epoch:position" -> [epoch, position], or null when not of that form.
function splitOffset(offset: string): [string, number] | null {
  const colon = offset.lastIndexOf(":");
  if (colon < 0) return null;
  const position = Number(offset.slice(colon + 1));
  return Number.isSafeInteger(position) ? [offset.slice(0, colon), position] : null;
}

let clientCount = 0;

/**
 * Stays subscribed to topics of a topics-protocol server (or any server of a
 * cluster): reconnects with exponential backoff and full jitter, trying the
 * URLs in turn; resubscribes with the last offset of each topic and says
 * whether it recovered; drops a connection on which nothing arrives within
 * `timeout` (a frozen server); publishes with acknowledgement, retrying under
 * the same id after a reconnect.
 *
 * @example
 * ```ts ignore
 * import { TopicClient } from "@omnisocket/core/topic-client";
 *
 * const client = new TopicClient(["ws://127.0.0.1:8080/", "ws://127.0.0.1:8081/"]);
 * client.on("subscribed", ({ topic, recovered }) => console.log(topic, { recovered }));
 * client.subscribe("lobby");
 * const offset = await client.publish("lobby", { text: "hello" });
 * for await (const message of client.messages("lobby")) console.log(message.data);
 * ```
 */
export class TopicClient {
  #urls: string[];
  #WebSocket: TopicClientSocketConstructor;
  #minDelay: number;
  #maxDelay: number;
  #timeout: number;
  #pingInterval: number;
  #queueLimit: number;
  #socket: TopicClientSocket | null = null;
  #open = false;
  #urlIndex = 0;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #tick: ReturnType<typeof setInterval> | null = null;
  #lastReceived = 0;
  #lastPing = 0;
  #closed = false;
  #topics = new Map<string, TopicState>();
  #resuming = new Set<string>();
  #pending = new Map<string, PendingPublish>();
  #idPrefix: string;
  #nextId = 0;
  #listeners: { [K in keyof TopicClientEvents]: Set<Listener<K>> } = {
    open: new Set(),
    close: new Set(),
    subscribed: new Set(),
    message: new Set(),
    error: new Set(),
  };
  #signal: AbortSignal | undefined;
  #onAbort = (): void => this.close();

  /** Connects at once to the first URL (then the next ones, in turn, after a failure). */
  constructor(urls: string | string[], options: TopicClientOptions = {}) {
    this.#urls = typeof urls === "string" ? [urls] : [...urls];
    if (this.#urls.length === 0) throw new TypeError("Cannot create TopicClient: no server URL");
    // Our WebSocket types its handlers' events (Event, MessageEvent, CloseEvent); the topic
    // client reads only the fields TopicClientSocket names.
    const ctor = options.WebSocket ?? (OurWebSocket as unknown as TopicClientSocketConstructor);
    this.#WebSocket = ctor;
    this.#minDelay = options.minDelay ?? 250;
    this.#maxDelay = options.maxDelay ?? 8_000;
    this.#timeout = options.timeout ?? 20_000;
    this.#pingInterval = options.pingInterval ?? 5_000;
    const offline = options.offline ?? "reject";
    this.#queueLimit = offline === "reject" ? 0 : offline.queue;
    this.#idPrefix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}${
      (clientCount++).toString(36)
    }-`;
    this.#signal = options.signal;
    if (this.#signal?.aborted) {
      this.#closed = true;
      return;
    }
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#connect();
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.#open;
  }

  /** The offset of the last message received on `topic` ("" before any). */
  lastOffset(topic: string): string {
    return this.#topics.get(topic)?.offset ?? "";
  }

  /** Calls `listener` on every `event`; returns a function that stops it. */
  on<K extends keyof TopicClientEvents>(event: K, listener: TopicClientListener<K>): () => void {
    const set = this.#listeners[event] as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Subscribes now if connected, and again (from the last offset) after every reconnection. */
  subscribe(topic: string): void {
    if (this.#topics.has(topic)) return;
    this.#topics.set(topic, { offset: "", queue: [], waiters: [], iterating: 0 });
    if (this.#open) this.#send({ type: "subscribe", topic, withOffset: true });
  }

  /** Stops receiving `topic`; its message iterators end. */
  unsubscribe(topic: string): void {
    const state = this.#topics.get(topic);
    if (state === undefined) return;
    this.#topics.delete(topic);
    this.#resuming.delete(topic);
    for (const waiter of state.waiters) waiter({ done: true, value: undefined });
    if (this.#open) this.#send({ type: "unsubscribe", topic });
  }

  /**
   * The messages of `topic` as they arrive (subscribing if needed), until it
   * is unsubscribed, the client closed, or `signal` aborted. Messages that
   * arrive while the loop body runs are buffered.
   */
  async *messages(topic: string, signal?: AbortSignal): AsyncGenerator<TopicMessage> {
    this.subscribe(topic);
    const state = this.#topics.get(topic)!;
    state.iterating++;
    const stop = () => {
      for (const waiter of state.waiters) waiter({ done: true, value: undefined });
      state.waiters.length = 0;
    };
    signal?.addEventListener("abort", stop, { once: true });
    try {
      while (!this.#closed && !signal?.aborted && this.#topics.get(topic) === state) {
        const next = state.queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        const result = await new Promise<IteratorResult<TopicMessage>>((resolve) =>
          state.waiters.push(resolve)
        );
        if (result.done) return;
        yield result.value;
      }
    } finally {
      state.iterating--;
      signal?.removeEventListener("abort", stop);
    }
  }

  /**
   * Publishes `data` (any JSON value) to `topic`; resolves with its offset
   * once the server acknowledged it. A publish whose connection drops before
   * the acknowledgement is sent again, under the same id, after the reconnect
   * (the server does not publish an id twice within its window). While
   * disconnected: rejects at once, or queues (see `offline`).
   */
  publish(topic: string, data: unknown, options: { signal?: AbortSignal } = {}): Promise<string> {
    if (this.#closed) return Promise.reject(new Error("Cannot publish: the client is closed"));
    if (!this.#open) {
      const queued = [...this.#pending.values()].filter((each) => !each.sent).length;
      if (queued >= this.#queueLimit) {
        return Promise.reject(
          new Error(
            this.#queueLimit === 0
              ? "Cannot publish: not connected"
              : `Cannot publish: not connected and ${this.#queueLimit} publishes already queued`,
          ),
        );
      }
    }
    const id = this.#idPrefix + (this.#nextId++).toString(36);
    return new Promise<string>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = () => {
        if (this.#pending.delete(id)) reject(new Error("Cannot publish: aborted"));
      };
      if (signal?.aborted) return reject(new Error("Cannot publish: aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      const pending: PendingPublish = {
        id,
        topic,
        data,
        sent: false,
        resolve: (offset) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(offset);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.#pending.set(id, pending);
      if (this.#open) this.#sendPublish(pending);
    });
  }

  /** Closes the client for good: no reconnection; pending publishes reject; iterators end. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    if (socket !== null) this.#drop(socket, 1000, true);
    for (const pending of this.#pending.values()) {
      pending.reject(new Error("Cannot publish: the client is closed"));
    }
    this.#pending.clear();
    for (const state of this.#topics.values()) {
      for (const waiter of state.waiters) waiter({ done: true, value: undefined });
      state.waiters.length = 0;
    }
  }

  #emit<K extends keyof TopicClientEvents>(event: K, detail: TopicClientEvents[K]): void {
    for (const listener of this.#listeners[event] as Set<Listener<K>>) {
      try {
        listener(detail);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  #send(message: Record<string, unknown>): void {
    try {
      this.#socket?.send(JSON.stringify(message));
    } catch {
      // Closing: the close handler takes over.
    }
  }

  #sendPublish(pending: PendingPublish): void {
    pending.sent = true;
    this.#send({ type: "publish", topic: pending.topic, data: pending.data, id: pending.id });
  }

  #connect(): void {
    const url = this.#urls[this.#urlIndex % this.#urls.length];
    let socket: TopicClientSocket;
    try {
      socket = new this.#WebSocket(url);
    } catch {
      this.#urlIndex++;
      this.#retry();
      return;
    }
    this.#socket = socket;
    this.#lastReceived = Date.now();
    this.#lastPing = this.#lastReceived;
    const period = Math.max(10, Math.min(this.#pingInterval, this.#timeout) / 4);
    this.#tick = setInterval(() => this.#beat(socket), period);
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#open = true;
      this.#attempt = 0;
      this.#lastReceived = Date.now();
      this.#emit("open", { url });
      for (const [topic, { offset }] of this.#topics) {
        if (offset !== "") this.#resuming.add(topic);
        this.#send(
          offset === ""
            ? { type: "subscribe", topic, withOffset: true }
            : { type: "subscribe", topic, since: offset, withOffset: true },
        );
      }
      for (const pending of this.#pending.values()) this.#sendPublish(pending);
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      this.#lastReceived = Date.now();
      if (typeof event.data === "string") this.#receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#drop(socket, event.code, false);
    };
    socket.onerror = () => {};
  }

  // Called every quarter of the ping interval (or timeout): pings an idle connection, drops a dead one.
  #beat(socket: TopicClientSocket): void {
    if (this.#socket !== socket) return;
    const now = Date.now();
    if (now - this.#lastReceived >= this.#timeout) {
      this.#drop(socket, 1006, true);
      return;
    }
    if (
      this.#open && now - this.#lastReceived >= this.#pingInterval &&
      now - this.#lastPing >= this.#pingInterval
    ) {
      this.#lastPing = now;
      this.#send({ type: "ping" });
    }
  }

  // Forgets `socket` (closing it when asked) and, unless closed for good, schedules the next try.
  #drop(socket: TopicClientSocket, code: number, closeIt: boolean): void {
    const url = this.#urls[this.#urlIndex % this.#urls.length];
    socket.onopen = socket.onmessage = socket.onclose = null;
    if (closeIt) {
      try {
        socket.close(code === 1006 ? 4000 : code);
      } catch {
        // Already closing.
      }
    }
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
    const wasOpen = this.#open;
    this.#socket = null;
    this.#open = false;
    this.#resuming.clear();
    for (const pending of this.#pending.values()) pending.sent = false;
    this.#emit("close", { url, code, opened: wasOpen });
    // Move on to the next server after a failure (one that never opened, or any when several).
    if (!wasOpen || this.#urls.length > 1) this.#urlIndex++;
    this.#retry();
  }

  #retry(): void {
    if (this.#closed) return;
    // Full jitter: a random delay below a ceiling that doubles, so a crowd of clients that lost
    // the same server does not come back in one wave.
    const ceiling = Math.min(this.#maxDelay, this.#minDelay * 2 ** this.#attempt);
    this.#attempt++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#closed) this.#connect();
    }, Math.random() * ceiling);
  }

  #receive(text: string): void {
    let message: {
      type?: unknown;
      topic?: unknown;
      data?: unknown;
      offset?: unknown;
      recovered?: unknown;
      reason?: unknown;
      id?: unknown;
    };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const topic = typeof message.topic === "string" ? message.topic : "";
    switch (message.type) {
      case "ping":
        // The server's liveness check (topicsProtocol's pingInterval).
        this.#send({ type: "pong" });
        return;
      case "message": {
        const state = this.#topics.get(topic);
        const offset = typeof message.offset === "string" ? message.offset : "";
        if (state === undefined) return;
        // Never deliver twice: an offset at or before the last one of the same epoch is old.
        const last = splitOffset(state.offset);
        const next = splitOffset(offset);
        if (last !== null && next !== null && last[0] === next[0] && next[1] <= last[1]) return;
        state.offset = offset;
        const delivered: TopicMessage = { topic, data: message.data, offset };
        this.#emit("message", delivered);
        if (state.iterating > 0) {
          const waiter = state.waiters.shift();
          if (waiter !== undefined) waiter({ done: false, value: delivered });
          else state.queue.push(delivered);
        }
        return;
      }
      case "subscribed": {
        const resumed = this.#resuming.delete(topic);
        const state = this.#topics.get(topic);
        // Not recovered (a first subscribe, or a gap): messages follow from the server's offset,
        // so the next resubscription resumes from there even if none arrives before it.
        if (
          state !== undefined && message.recovered !== true && typeof message.offset === "string"
        ) state.offset = message.offset;
        this.#emit("subscribed", { topic, recovered: message.recovered === true, resumed });
        return;
      }
      case "published": {
        const pending = typeof message.id === "string" ? this.#pending.get(message.id) : undefined;
        if (pending === undefined) return;
        this.#pending.delete(pending.id);
        pending.resolve(typeof message.offset === "string" ? message.offset : "");
        return;
      }
      case "error": {
        const reason = typeof message.reason === "string" ? message.reason : "";
        const pending = typeof message.id === "string" ? this.#pending.get(message.id) : undefined;
        if (pending !== undefined) {
          this.#pending.delete(pending.id);
          pending.reject(new Error(`Cannot publish: ${reason}`));
          return;
        }
        this.#emit("error", topic === "" ? { reason } : { reason, topic });
        return;
      }
    }
  }
}
