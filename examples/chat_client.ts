/**
 * A small client of the chat example's protocol (examples/chat.ts), on the platform's `WebSocket`:
 * browsers, Node >= 22, Deno and Bun. It reconnects by itself with exponential backoff and full
 * jitter, trying each server URL in turn (any process of a cluster will do), resubscribes with
 * the last offset it received on each topic, and tells the app whether it recovered.
 *
 * Self-contained on purpose (no imports, no module-level helpers): the chat page embeds
 * `ChatClient.toString()` in its `<script>`, so browsers run this very class, with the types
 * stripped by whichever runtime serves the page.
 *
 * @module
 */

/** What the app hears from a {@linkcode ChatClient}. */
export interface ChatClientEvents {
  /** A message of a subscribed topic: its data (any JSON value) and its offset. */
  message?(topic: string, data: unknown, offset: string): void;
  /**
   * The server answered a subscribe. `resumed` says it was a resubscription after a reconnect
   * with the last offset received; then `recovered` says whether every message missed in between
   * followed (true) or some may be missing (false).
   */
  subscribed?(topic: string, recovered: boolean, resumed: boolean): void;
  /** The connection state changed: "open", or "reconnecting" (with the delay before the next try). */
  status?(state: "open" | "reconnecting", detail: { url: string; delayMs: number }): void;
  /** The server answered something with an error (bad input, a publish it could not accept). */
  error?(reason: string): void;
}

/** Options of {@linkcode ChatClient}. */
export interface ChatClientOptions {
  /** First reconnection delay ceiling, in ms (doubles on every failed attempt). Default 250. */
  minDelayMs?: number;
  /** Largest reconnection delay ceiling, in ms. Default 8 000. */
  maxDelayMs?: number;
}

/**
 * Subscribes, publishes and stays connected to a chat server (or any of a cluster's servers).
 *
 * @example
 * ```ts ignore
 * import { ChatClient } from "./chat_client.ts";
 *
 * const client = new ChatClient(["ws://127.0.0.1:8080/", "ws://127.0.0.1:8081/"], {
 *   message: (topic, data) => console.log(topic, data),
 *   subscribed: (topic, recovered, resumed) =>
 *     resumed && console.log(recovered ? "recovered" : "messages may be missing"),
 * });
 * client.subscribe("lobby");
 * client.publish("lobby", { from: "ada", text: "hello" });
 * ```
 */
export class ChatClient {
  #urls: string[];
  #events: ChatClientEvents;
  #minDelayMs: number;
  #maxDelayMs: number;
  #socket: WebSocket | null = null;
  #urlIndex = 0;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  // Subscribed topics and the offset of the last message received on each ("" before any).
  #topics = new Map<string, string>();
  // Topics resubscribed with `since`, awaiting their answer.
  #resuming = new Set<string>();

  /** Connects at once to the first URL (then the next ones, in turn, after a failure). */
  constructor(
    urls: string | string[],
    events: ChatClientEvents = {},
    options: ChatClientOptions = {},
  ) {
    this.#urls = typeof urls === "string" ? [urls] : [...urls];
    if (this.#urls.length === 0) throw new TypeError("Cannot create ChatClient: no server URL");
    this.#events = events;
    this.#minDelayMs = options.minDelayMs ?? 250;
    this.#maxDelayMs = options.maxDelayMs ?? 8_000;
    this.#connect();
  }

  /** True while connected. */
  get connected(): boolean {
    return this.#socket !== null && this.#socket.readyState === 1;
  }

  /** The offset of the last message received on `topic` ("" before any). */
  lastOffset(topic: string): string {
    return this.#topics.get(topic) ?? "";
  }

  /** Subscribes now if connected, and again after every reconnection. */
  subscribe(topic: string): void {
    if (!this.#topics.has(topic)) this.#topics.set(topic, "");
    this.#send({ type: "subscribe", topic });
  }

  /** Stops receiving `topic`. */
  unsubscribe(topic: string): void {
    this.#topics.delete(topic);
    this.#resuming.delete(topic);
    this.#send({ type: "unsubscribe", topic });
  }

  /** Publishes `data` (any JSON value); false when not connected (nothing is queued). */
  publish(topic: string, data: unknown): boolean {
    return this.#send({ type: "publish", topic, data });
  }

  /** Closes the connection for good (no reconnection). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#socket?.close(1000);
    this.#socket = null;
  }

  #send(message: Record<string, unknown>): boolean {
    const socket = this.#socket;
    if (socket === null || socket.readyState !== 1) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  #connect(): void {
    const url = this.#urls[this.#urlIndex % this.#urls.length];
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.#retry(url);
      return;
    }
    this.#socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.#attempt = 0;
      this.#events.status?.("open", { url, delayMs: 0 });
      for (const [topic, since] of this.#topics) {
        if (since !== "") this.#resuming.add(topic);
        socket.send(JSON.stringify(
          since === "" ? { type: "subscribe", topic } : {
            type: "subscribe",
            topic,
            since,
          },
        ));
      }
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== "string") return;
      let message: {
        type?: string;
        topic?: string;
        data?: unknown;
        offset?: string;
        recovered?: boolean;
        reason?: string;
      };
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      const topic = message.topic ?? "";
      if (message.type === "message" && this.#topics.has(topic)) {
        this.#topics.set(topic, message.offset ?? "");
        this.#events.message?.(topic, message.data, message.offset ?? "");
      } else if (message.type === "subscribed") {
        const resumed = this.#resuming.delete(topic);
        this.#events.subscribed?.(topic, message.recovered === true, resumed);
      } else if (message.type === "error") {
        this.#events.error?.(message.reason ?? "");
      }
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#resuming.clear();
      // A server that never answered (or went away): the next try goes to the next URL.
      if (!opened || this.#urls.length > 1) this.#urlIndex++;
      this.#retry(url);
    };
  }

  #retry(url: string): void {
    if (this.#closed) return;
    // Full jitter: a random delay below a ceiling that doubles, so a crowd of clients that lost
    // the same server does not come back in one wave.
    const ceiling = Math.min(this.#maxDelayMs, this.#minDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    const delayMs = Math.round(Math.random() * ceiling);
    this.#events.status?.("reconnecting", { url, delayMs });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#closed) this.#connect();
    }, delayMs);
  }
}
