/**
 * The default backplane: one process, publications ordered as they are
 * published, history kept in memory.
 *
 * @module
 */

import type { Backplane } from "../api/topics/backplane.ts";
import type { Publication } from "../api/topics/publication.ts";

/** Options of {@linkcode InProcessBackplane}. */
export interface InProcessBackplaneOptions {
  /** Publications kept per topic for `since`. Default 0. */
  history?: number;
  /** Topics whose history is kept at most (the least recently published is dropped first). Default 10 000. */
  maxHistoryTopics?: number;
}

type Deliver = (publication: Publication & { readonly origin: string }) => void;

// One topic's place in its order, and its recent publications (a ring).
interface TopicLog {
  epoch: string;
  position: number;
  ring: Publication[];
  // Index in `ring` of the oldest held publication.
  start: number;
  deliver: Deliver | null;
}

// Epochs differ between backplanes (and processes): a random prefix, then a
// count of the topic logs this backplane has started.
function randomPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  let prefix = "";
  for (const byte of bytes) prefix += (byte % 36).toString(36);
  return prefix;
}

/**
 * Orders each topic's publications in the calling order and delivers them
 * synchronously inside `publish`, keeping the last `history` of each topic.
 *
 * @example
 * ```ts ignore
 * const backplane = new InProcessBackplane({ history: 100 });
 * await backplane.follow("room", (p) => console.log(p.offset, p.data));
 * await backplane.publish("room", "hello", "me"); // logs "<epoch>:1 hello"
 * ```
 */
export class InProcessBackplane implements Backplane {
  #history: number;
  #maxHistoryTopics: number;
  #logs = new Map<string, TopicLog>();
  #prefix = randomPrefix();
  #generation = 0;
  #closed = false;

  /** Creates an empty backplane. */
  constructor(options: InProcessBackplaneOptions = {}) {
    this.#history = options.history ?? 0;
    this.#maxHistoryTopics = options.maxHistoryTopics ?? 10_000;
  }

  /** Appends and delivers at once; the promise only reports the offset. */
  publish(topic: string, data: string | Uint8Array, origin: string): Promise<string> {
    if (this.#closed) return Promise.reject(new Error("the backplane is closed"));
    return Promise.resolve(this.publishNow(topic, data, origin));
  }

  /** {@linkcode InProcessBackplane.publish} without the promise: the registry's fast path. */
  publishNow(topic: string, data: string | Uint8Array, origin: string): string {
    let log = this.#logs.get(topic);
    if (log === undefined) log = this.#start(topic);
    const offset = `${log.epoch}:${++log.position}`;
    const history = this.#history;
    if (history > 0) {
      const publication: Publication = { topic, data, offset };
      const ring = log.ring;
      if (ring.length < history) {
        ring.push(publication);
      } else {
        ring[log.start] = publication;
        log.start = log.start + 1 === history ? 0 : log.start + 1;
      }
      // Least recently published last to go: move to the end of the Map's order.
      if (log.deliver === null) {
        this.#logs.delete(topic);
        this.#logs.set(topic, log);
      }
    }
    if (log.deliver !== null) log.deliver({ topic, data, offset, origin });
    else if (history === 0) this.#logs.delete(topic); // nothing to keep: offsets restart in a new epoch
    return offset;
  }

  /** Delivers the topic's publications synchronously from now on. */
  follow(topic: string, deliver: Deliver): Promise<void> {
    const log = this.#logs.get(topic) ?? this.#start(topic);
    log.deliver = deliver;
    return Promise.resolve();
  }

  /** Stops delivering the topic. */
  unfollow(topic: string): void {
    const log = this.#logs.get(topic);
    if (log === undefined) return;
    log.deliver = null;
    if (this.#history === 0) this.#logs.delete(topic);
  }

  /** Publications after `since`, when all are still held. */
  history(topic: string, since: string): Promise<Publication[] | null> {
    return Promise.resolve(this.historyNow(topic, since));
  }

  /** {@linkcode InProcessBackplane.history} without the promise. */
  historyNow(topic: string, since: string): Publication[] | null {
    const log = this.#logs.get(topic);
    if (log === undefined) return null;
    const colon = since.lastIndexOf(":");
    if (colon < 0 || since.slice(0, colon) !== log.epoch) return null;
    const digits = since.slice(colon + 1);
    if (!/^(0|[1-9][0-9]{0,15})$/.test(digits)) return null;
    const position = Number(digits);
    if (position > log.position) return null;
    const missed = log.position - position;
    const ring = log.ring;
    if (missed > ring.length) return null;
    const result: Publication[] = [];
    for (let i = ring.length - missed; i < ring.length; i++) {
      result.push(ring[(log.start + i) % ring.length]);
    }
    return result;
  }

  /** The latest offset of the topic, "" when none is known. */
  offset(topic: string): Promise<string> {
    return Promise.resolve(this.offsetNow(topic));
  }

  /** {@linkcode InProcessBackplane.offset} without the promise. */
  offsetNow(topic: string): string {
    const log = this.#logs.get(topic);
    return log === undefined || log.position === 0 ? "" : `${log.epoch}:${log.position}`;
  }

  /** Orders two offsets of one epoch by position. */
  compare(a: string, b: string): number {
    return Number(a.slice(a.lastIndexOf(":") + 1)) - Number(b.slice(b.lastIndexOf(":") + 1));
  }

  /** Forgets everything; later publishes reject. */
  close(): Promise<void> {
    this.#closed = true;
    this.#logs.clear();
    return Promise.resolve();
  }

  #start(topic: string): TopicLog {
    const log: TopicLog = {
      epoch: `${this.#prefix}${(++this.#generation).toString(36)}`,
      position: 0,
      ring: [],
      start: 0,
      deliver: null,
    };
    this.#logs.set(topic, log);
    if (this.#history > 0 && this.#logs.size > this.#maxHistoryTopics) this.#evict(log);
    return log;
  }

  // Drops the least recently published topic that nobody here follows.
  #evict(keep: TopicLog): void {
    for (const [topic, log] of this.#logs) {
      if (log.deliver === null && log !== keep) {
        this.#logs.delete(topic);
        return;
      }
    }
  }
}
