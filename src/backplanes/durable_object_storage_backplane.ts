/**
 * A backplane for one Durable Object whose topic history lives in the
 * object's storage, so that `subscribe(topic, { since })` recovers across
 * hibernation and eviction (the in-process backplane's history lives in the
 * evicted instance's memory).
 *
 * @module
 */

import type { Backplane } from "../api/topics/backplane.ts";
import type { Publication } from "../api/topics/publication.ts";
import { ProtocolError } from "../errors/protocol_error.ts";

/** The parts of the Durable Object storage (`ctx.storage`, key-value API) this backplane uses. */
export interface DurableObjectStorage {
  /** The value stored under `key`, or undefined. */
  get(key: string): Promise<unknown>;
  /** Stores a structured-cloneable value. */
  put(key: string, value: unknown): Promise<void>;
  /** Deletes keys. */
  delete(keys: string[]): Promise<number>;
  /** Entries whose keys start with `prefix`, from `start` (inclusive), in key order. */
  list(options: { prefix: string; start?: string }): Promise<Map<string, unknown>>;
}

// One topic's place in its order: its epoch (new when the topic's history
// was started, so offsets of a lost history are never taken for new ones).
interface TopicLog {
  epoch: string;
  position: number;
}

type Deliver = (publication: Publication & { readonly origin: string }) => void;

// Positions are zero-padded in keys so that key order is publication order.
const POSITION_DIGITS = 16;

/**
 * Keeps the last `history` publications of each topic in Durable Object
 * storage (keys `topic-log:` and `topic-pub:`), delivers them in process.
 * Each publish writes its publication and the topic's position, and
 * deletes the one that fell out of the history. Topic positions are read
 * once ({@linkcode DurableObjectStorageBackplane.load}) and kept in memory.
 *
 * @example In a Durable Object (createDurableObject does this with `topicHistory: "storage"`)
 * ```ts ignore
 * const backplane = new DurableObjectStorageBackplane(ctx.storage, 100);
 * const registry = new TopicRegistry({ ...resolved.topics, backplane });
 * ```
 */
export class DurableObjectStorageBackplane implements Backplane {
  #storage: DurableObjectStorage;
  #history: number;
  #logs = new Map<string, TopicLog>();
  #loaded: Promise<void> | null = null;
  #ready = false;
  #followers = new Map<string, Deliver>();
  #closed = false;

  /** Uses `storage` for up to `history` publications per topic. */
  constructor(storage: DurableObjectStorage, history: number) {
    this.#storage = storage;
    this.#history = history;
  }

  /**
   * Reads every topic's position from storage (once). Until it resolves,
   * operations wait for it; after, publishes append and deliver
   * synchronously, as the in-process backplane does, so a peer's sends and
   * publications keep their order. The Durable Object adapter runs it in
   * `ctx.blockConcurrencyWhile` when the object starts.
   */
  load(): Promise<void> {
    this.#loaded ??= this.#storage.list({ prefix: LOG_PREFIX }).then((stored) => {
      for (const [key, value] of stored) {
        const topic = key.slice(LOG_PREFIX.length);
        if (!this.#logs.has(topic)) this.#logs.set(topic, value as TopicLog);
      }
      this.#ready = true;
    }, (error) => {
      this.#loaded = null; // read again next time
      throw error;
    });
    return this.#loaded;
  }

  /** Appends in the topic's order, stores it, delivers it, and resolves with its offset. */
  publish(topic: string, data: string | Uint8Array, origin: string): Promise<string> {
    if (this.#closed) return Promise.reject(failed("the backplane is closed"));
    // Before the load, publishes wait for it in call order (then() runs callbacks in order).
    if (!this.#ready) {
      return this.load().then(
        () => this.publish(topic, data, origin),
        (error) => Promise.reject(failed("cannot read the topic logs from storage", error)),
      );
    }
    return Promise.resolve(this.#append(topic, data, origin));
  }

  /** Delivers the topic's publications from now on. */
  follow(
    topic: string,
    deliver: (publication: Publication & { readonly origin: string }) => void,
  ): Promise<void> {
    this.#followers.set(topic, deliver);
    return Promise.resolve();
  }

  /** Stops delivering the topic. */
  unfollow(topic: string): void {
    this.#followers.delete(topic);
  }

  /** Publications after `since`, when all are still stored. */
  async history(topic: string, since: string): Promise<Publication[] | null> {
    await this.load();
    const log = this.#logs.get(topic);
    if (log === undefined) return null;
    const colon = since.lastIndexOf(":");
    if (colon < 0 || since.slice(0, colon) !== log.epoch) return null;
    const digits = since.slice(colon + 1);
    if (!/^(0|[1-9][0-9]{0,14})$/.test(digits)) return null;
    const position = Number(digits);
    // Read up to the position of now: later publications are delivered live.
    const last = log.position;
    if (position > last) return null;
    const missed = last - position;
    if (missed === 0) return [];
    if (missed > this.#history) return null;
    const stored = await this.#storage.list({
      prefix: publicationPrefix(topic),
      start: publicationKey(topic, position + 1),
    });
    const result: Publication[] = [];
    for (const value of stored.values()) {
      const { data, offset } = value as { data: string | Uint8Array; offset: string };
      result.push({ topic, data, offset });
      if (result.length === missed) break;
    }
    return result.length === missed ? result : null;
  }

  /** The offset of the topic's latest publication, "" when it has none. */
  async offset(topic: string): Promise<string> {
    await this.load();
    const log = this.#logs.get(topic);
    return log === undefined || log.position === 0 ? "" : `${log.epoch}:${log.position}`;
  }

  /** Orders two offsets of one epoch by position. */
  compare(a: string, b: string): number {
    return Number(a.slice(a.lastIndexOf(":") + 1)) - Number(b.slice(b.lastIndexOf(":") + 1));
  }

  /** Stops; later publishes reject. What is stored stays. */
  close(): Promise<void> {
    this.#closed = true;
    this.#followers.clear();
    return Promise.resolve();
  }

  // Storage writes are not awaited: a Durable Object holds its outgoing
  // messages until its writes are durable (the output gate).
  #append(topic: string, data: string | Uint8Array, origin: string): string {
    let log = this.#logs.get(topic);
    if (log === undefined) {
      log = { epoch: newEpoch(), position: 0 };
      this.#logs.set(topic, log);
    }
    const position = ++log.position;
    const offset = `${log.epoch}:${position}`;
    const storage = this.#storage;
    void storage.put(LOG_PREFIX + topic, { epoch: log.epoch, position });
    if (this.#history > 0) {
      void storage.put(publicationKey(topic, position), { data, offset });
      const dropped = position - this.#history;
      if (dropped > 0) void storage.delete([publicationKey(topic, dropped)]);
    }
    this.#followers.get(topic)?.({ topic, data, offset, origin });
    return offset;
  }
}

const LOG_PREFIX = "topic-log:";

// The topic's length first, so that no topic's prefix is another's.
function publicationPrefix(topic: string): string {
  return `topic-pub:${topic.length}:${topic}:`;
}

function publicationKey(topic: string, position: number): string {
  return publicationPrefix(topic) + String(position).padStart(POSITION_DIGITS, "0");
}

function newEpoch(): string {
  return crypto.randomUUID().slice(0, 8);
}

function failed(reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError("PUBLISH_FAILED", `Cannot publish: ${reason}`, { cause });
}
