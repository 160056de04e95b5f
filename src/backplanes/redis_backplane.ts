/**
 * A {@linkcode Backplane} on Redis: every process started with the same Redis (or Redis Cluster)
 * shares one set of topics, one order per topic, and resumable history; each process receives
 * only the publications of the topics its peers subscribe to. Built on the official client
 * (`redis` on npm, a peer dependency of this subpath only); runs on Node, Deno and Bun.
 *
 * @module
 */

import type { Backplane } from "../api/topics/backplane.ts";
import type { Publication } from "../api/topics/publication.ts";
import { ProtocolError } from "../errors/protocol_error.ts";
import { type RedisConnection, redisConnection } from "./redis/redis_connection.ts";
import {
  type ChannelMessage,
  dataOf,
  encodeBytes,
  newEpoch,
  parseChannelMessage,
  parseOffset,
} from "./redis/publication_message.ts";

/** Options of {@linkcode RedisBackplane.connect}. */
export interface RedisBackplaneOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /**
   * The seed nodes of one Redis Cluster (two or more URLs; topics spread over its masters by hash
   * slot). One URL here is one Redis, as `url`. Default: `[url]`.
   */
  urls?: string[];
  /** Prefix of every key this backplane uses; processes that share topics share it. Default `"omnisocket:"`. */
  prefix?: string;
  /**
   * Publications kept per topic for `subscribe(topic, { since })`: an offset followed by at most
   * this many publications is recovered. Default 1000; 0 keeps none (no recovery, and a topic
   * costs Redis one small key).
   */
  history?: number;
  /**
   * Milliseconds a topic's state (sequence, epoch, history) outlives its last publication; then
   * Redis drops it, so idle topics cost no memory. Default 86 400 000 (one day).
   */
  historyTtl?: number;
  /**
   * Milliseconds between two checks of every followed topic's latest sequence in Redis, which
   * deliver (from history) a publication this process missed while a connection or a hash slot
   * moved and no later one showed the gap. Default 5 000; 0 checks only after reconnections.
   */
  syncInterval?: number;
  /**
   * Called when publications of a followed topic may have been lost for this process, with why:
   * `"behind"`: the topic's channel skipped publications (a connection or slot moved) that its
   * `history` no longer holds (or `history` is 0), so its subscribers here missed publications
   * the other processes delivered (closing them makes their clients resume with `since`, and
   * learn they did not recover); `"reset"`: the topic's state in Redis was lost (its master
   * restarted empty, or the topic expired after `historyTtl` without publications), so offsets
   * from before are not recovered. Default: nothing.
   */
  onLoss?: (topic: string, cause: "behind" | "reset") => void;
  /** Milliseconds {@linkcode RedisBackplane.connect} waits for Redis before it rejects. Default 5 000. */
  connectTimeout?: number;
  /** Called with every connection error (they are retried by themselves). Default: nothing. */
  onError?: (error: unknown) => void;
  /**
   * Counts the reconnects of the connection publications arrive on
   * (`omnisocket_broker_reconnects_total`): usually the server's own `ServerMetrics`.
   */
  metrics?: { brokerReconnected(): void };
}

type Delivered = Publication & { readonly origin: string };
type Deliver = (publication: Delivered) => void;

// What a followed topic's queue holds: a publication from its channel, or a known position in
// Redis (from a publish reply or a sweep) that everything up to must be delivered.
type Pending = ChannelMessage | { epoch: string; seq: number; kind?: undefined };

interface Waiter {
  epoch: string;
  seq: number;
  resolve: (reached: boolean) => void;
}

interface Followed {
  topic: string;
  deliver: Deliver;
  // The topic's epoch ("" before any publication is known) and the last sequence delivered here.
  epoch: string;
  seq: number;
  ready: boolean;
  busy: boolean;
  queue: Pending[];
  waiters: Set<Waiter>;
}

const WAIT_MS = 5_000;
// A publish of ours not read back from the channel by then is caught up from Redis.
const CATCH_UP_MS = 500;

// One publication, atomically, on the topic's slot: its epoch (created when the topic has none:
// new, expired, or its master lost its data, which then drops a stale history), its sequence,
// the history (a list of the channel messages, trimmed exactly: `history` is a promise to
// clients; a list, not a stream: a one-entry stream costs Redis about 4.5 KB), the expiry of
// both, then the sharded channel (same slot) every following process subscribes to.
// With a third key (publishOnce): a publication id already seen within ARGV[8] ms is not
// published again; the script answers the first one's epoch and sequence, and a third element 1.
const PUBLISH_SCRIPT = `
if KEYS[3] then
  local seen = redis.call('GET', KEYS[3])
  if seen then
    local bar = string.find(seen, '|', 1, true)
    return {string.sub(seen, 1, bar - 1), tonumber(string.sub(seen, bar + 1)), 1}
  end
end
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[1], 'e', epoch)
  redis.call('DEL', KEYS[2])
end
local seq = redis.call('HINCRBY', KEYS[1], 's', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local message = ARGV[5] .. epoch .. ':' .. seq .. ':' .. ARGV[6] .. ':' .. ARGV[7]
local history = tonumber(ARGV[2])
if history > 0 then
  redis.call('RPUSH', KEYS[2], message)
  redis.call('LTRIM', KEYS[2], -history, -1)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('SPUBLISH', ARGV[4], message)
if KEYS[3] then
  redis.call('SET', KEYS[3], epoch .. '|' .. seq, 'PX', ARGV[8])
end
return {epoch, seq}
`;

// The held publications with sequences ARGV[1]..ARGV[2] (those still in the list), with the
// topic's epoch and latest sequence: the list holds the sequences last - length + 1 .. last.
const RANGE_SCRIPT = `
local epoch = redis.call('HGET', KEYS[1], 'e')
if not epoch then return {'', 0, {}} end
local last = tonumber(redis.call('HGET', KEYS[1], 's'))
local first = last - redis.call('LLEN', KEYS[2]) + 1
local from = math.max(tonumber(ARGV[1]), first)
local to = math.min(tonumber(ARGV[2]), last)
if from > to then return {epoch, last, {}} end
return {epoch, last, redis.call('LRANGE', KEYS[2], from - first, to - first)}
`;

/**
 * Topics shared by every process connected to one Redis or one Redis Cluster.
 *
 * - Routing: a topic is a sharded pub/sub channel (`SSUBSCRIBE`); a process subscribes when its
 *   first local peer subscribes to the topic and unsubscribes after the last, so it reads only
 *   its topics' publications.
 * - Order: one Lua script per publication gives it the topic's next sequence, appends it to the
 *   topic's history and publishes it on the topic's channel; every process delivers a topic in
 *   sequence order, and a skipped sequence (a connection or slot moved) is filled from the
 *   history or reported through `onLoss`. `publish` resolves once this process delivered its
 *   own publication when it follows the topic (no local subscriber gets it early).
 * - Offsets are `"epoch:sequence"` per topic; the epoch is created with the topic's first
 *   publication (again after it expired or its master lost its data), so an offset from before
 *   is never recovered.
 * - Redis Cluster: each topic's keys and channel share one hash slot (`{t<topic>}`), so topics
 *   spread over the masters; a master that restarts empty changes only its topics' epochs.
 * - Faults: while Redis is unreachable `publish` rejects at once with `PUBLISH_FAILED` (the
 *   client's offline queue is off: nothing is held and sent later); a publish whose connection
 *   failed in flight rejects too and may have been published.
 * - Needs Redis 7 or later (sharded pub/sub) that does not evict keys
 *   (`maxmemory-policy noeviction`, the default).
 *
 * @example Two processes, one chat
 * ```ts ignore
 * import { serve } from "@omnisocket/core/node";
 * import { RedisBackplane } from "@omnisocket/core/redis";
 *
 * const backplane = await RedisBackplane.connect({ url: "redis://127.0.0.1:6379", history: 1000 });
 * await serve({
 *   open: (peer) => void peer.subscribe("room"),
 *   message: (peer, message) => void peer.publish("room", message.text(), { self: true }),
 * }, { port: 8080, topics: { backplane } });
 * ```
 */
export class RedisBackplane implements Backplane {
  #redis: RedisConnection;
  #prefix: string;
  #history: number;
  #historyTtl: number;
  #onLoss: (topic: string, cause: "behind" | "reset") => void;
  #connectTimeout: number;
  #syncInterval: number;
  #syncTimer: ReturnType<typeof setInterval> | undefined;
  #followed = new Map<string, Followed>();
  // Subscribe and unsubscribe of one channel, in call order.
  #channelOps = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(options: RedisBackplaneOptions) {
    this.#prefix = options.prefix ?? "omnisocket:";
    this.#history = nonNegative("history", options.history ?? 1000);
    this.#historyTtl = positive("historyTtl", options.historyTtl ?? 86_400_000);
    this.#syncInterval = nonNegative("syncInterval", options.syncInterval ?? 5_000);
    this.#onLoss = options.onLoss ?? (() => {});
    this.#connectTimeout = positive("connectTimeout", options.connectTimeout ?? 5_000);
    const urls = options.urls ?? [options.url ?? "redis://127.0.0.1:6379"];
    if (urls.length === 0) {
      throw new RangeError("Cannot create the Redis backplane: urls must not be empty");
    }
    this.#redis = redisConnection(urls, options.onError ?? (() => {}));
    const metrics = options.metrics;
    this.#redis.onReconnect((delivering) => {
      if (delivering) metrics?.brokerReconnected();
      this.#sweep();
    });
  }

  /**
   * Connects to Redis (or the Redis Cluster); resolves once ready.
   *
   * @example
   * ```ts ignore
   * const backplane = await RedisBackplane.connect({ url: "redis://127.0.0.1:6379" });
   * await backplane.close();
   * ```
   */
  static async connect(options: RedisBackplaneOptions = {}): Promise<RedisBackplane> {
    const backplane = new RedisBackplane(options);
    await backplane.#start();
    return backplane;
  }

  /**
   * Appends to the topic's order through Redis; resolves with the offset (once this process has
   * delivered it, when it follows the topic). Rejects with `PUBLISH_FAILED` when Redis cannot
   * take it.
   */
  publish(topic: string, data: string | Uint8Array, origin: string): Promise<string> {
    return this.#publish(topic, data, origin, null, 0).then(({ offset }) => offset);
  }

  /**
   * Publishes unless `key` was published to this topic within `window` ms by any process on this
   * Redis or Redis Cluster (one key per id, on the topic's slot, with that expiry, set by the
   * publish script); a repeat resolves with the first offset and `duplicate: true`.
   */
  publishOnce(
    topic: string,
    data: string | Uint8Array,
    origin: string,
    key: string,
    window: number,
  ): Promise<{ offset: string; duplicate: boolean }> {
    return this.#publish(topic, data, origin, key, Math.max(1, Math.round(window)));
  }

  async #publish(
    topic: string,
    data: string | Uint8Array,
    origin: string,
    key: string | null,
    window: number,
  ): Promise<{ offset: string; duplicate: boolean }> {
    if (this.#closed) throw publishFailed("the backplane is closed");
    const meta = this.#key(topic, "m");
    const args = [
      "EVAL",
      PUBLISH_SCRIPT,
      key === null ? "2" : "3",
      meta,
      this.#key(topic, "h"),
      ...(key === null ? [] : [this.#key(topic, `i${key}`)]),
      newEpoch(),
      String(this.#history),
      String(this.#historyTtl),
      this.#channel(topic),
      typeof data === "string" ? "s" : "b",
      // The publisher's clock travels with it: the backplane lag is measured from it.
      `${Date.now()}:${encodeURIComponent(origin)}`,
      typeof data === "string" ? data : encodeBytes(data),
      String(window),
    ];
    let reply: unknown;
    try {
      // EVAL, not EVALSHA: a Redis that restarted has forgotten the script, and a retry after
      // NOSCRIPT could be overtaken by a later publish of ours, breaking their order.
      reply = await this.#redis.send(meta, args);
    } catch (error) {
      throw publishFailed(`Redis did not accept it (perhaps published): ${describe(error)}`, error);
    }
    const [epoch, seqReply, duplicate] = reply as [string, number | string, number?];
    const seq = Number(seqReply);
    const offset = `${epoch}:${seq}`;
    if (duplicate === 1) return { offset, duplicate: true };
    const followed = this.#followed.get(topic);
    if (followed === undefined || !followed.ready) return { offset, duplicate: false };
    if (followed.epoch === epoch && followed.seq >= seq) return { offset, duplicate: false };
    // Resolve once delivered here; if the channel does not bring it soon, fetch it from Redis.
    const timer = setTimeout(() => this.#enqueue(followed, { epoch, seq }), CATCH_UP_MS);
    const reached = await this.#reached(followed, epoch, seq, WAIT_MS + CATCH_UP_MS);
    clearTimeout(timer);
    // Unfollowed while waiting (the last subscriber here left): Redis accepted it and nobody here
    // is owed it any more.
    if (!reached && !this.#closed && this.#followed.get(topic) !== followed) {
      return { offset, duplicate: false };
    }
    if (!reached) {
      throw publishFailed(
        this.#closed
          ? "the backplane is closed"
          : "its topic's state in Redis was lost before this process delivered it (perhaps published)",
      );
    }
    return { offset, duplicate: false };
  }

  /**
   * Subscribes to the topic's channel, then reads its position: publications accepted after that
   * are delivered, in sequence order, from every process.
   */
  async follow(
    topic: string,
    deliver: (publication: Publication & { readonly origin: string }) => void,
  ): Promise<void> {
    const followed: Followed = {
      topic,
      deliver,
      epoch: "",
      seq: 0,
      ready: false,
      busy: false,
      queue: [],
      waiters: new Set(),
    };
    this.#followed.set(topic, followed);
    const channel = this.#channel(topic);
    // While Redis is unreachable, tried again until it is back (or the topic is unfollowed): a
    // topic the registry follows is never left without its subscription.
    for (let attempt = 0;; attempt++) {
      if (this.#followed.get(topic) !== followed) return;
      try {
        await this.#channelOp(
          channel,
          () => this.#redis.subscribe(channel, (message) => this.#onMessage(topic, message)),
        );
        if (this.#followed.get(topic) !== followed) return;
        const [epoch, seq] = await this.#position(topic);
        if (this.#followed.get(topic) !== followed) return;
        followed.epoch = epoch;
        followed.seq = seq;
        followed.ready = true;
        this.#drain(followed);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 1_000)));
      }
    }
  }

  /** Stops delivering the topic here, and unsubscribes from its channel. */
  unfollow(topic: string): void {
    const followed = this.#followed.get(topic);
    if (followed === undefined) return;
    this.#followed.delete(topic);
    followed.queue.length = 0;
    for (const waiter of followed.waiters) waiter.resolve(false);
    const channel = this.#channel(topic);
    this.#channelOp(channel, () => this.#redis.unsubscribe(channel)).catch(() => {});
  }

  /**
   * Every publication after `since` from the topic's history, when all are held; null when not,
   * when `since` is of another epoch, or Redis is unreachable.
   */
  async history(topic: string, since: string): Promise<Publication[] | null> {
    const offset = parseOffset(since);
    if (offset === null || this.#history === 0) return null;
    try {
      const followed = this.#followed.get(topic);
      let epoch: string;
      let last: number;
      if (followed !== undefined) {
        // An offset of another epoch than Redis' current one is never recovered.
        if (followed.epoch !== offset.epoch && (await this.#position(topic))[0] !== offset.epoch) {
          return null;
        }
        // The replay and the live deliveries meet at this process's position: an offset from a
        // process that is ahead is answered once this one got there (else what lies between
        // would come live again, duplicated); past it, entries are still to come live.
        if (!await this.#reached(followed, offset.epoch, offset.seq, WAIT_MS)) return null;
        epoch = followed.epoch;
        last = followed.seq;
      } else {
        [epoch, last] = await this.#position(topic);
      }
      if (epoch !== offset.epoch || offset.seq > last) return null;
      if (offset.seq === last) return [];
      const entries = await this.#range(topic, epoch, offset.seq + 1, last);
      if (entries.length !== last - offset.seq || entries[0].seq !== offset.seq + 1) return null;
      return entries.map((entry) => ({
        topic,
        data: dataOf(entry.kind, entry.data),
        offset: `${epoch}:${entry.seq}`,
      }));
    } catch {
      return null;
    }
  }

  /**
   * The offset of the topic's latest publication (that this process delivered, when it follows
   * the topic); "" when there is none or Redis is away.
   */
  async offset(topic: string): Promise<string> {
    const followed = this.#followed.get(topic);
    if (followed?.ready) return followed.seq === 0 ? "" : `${followed.epoch}:${followed.seq}`;
    try {
      const [epoch, seq] = await this.#position(topic);
      return seq === 0 ? "" : `${epoch}:${seq}`;
    } catch {
      return "";
    }
  }

  /** Orders two offsets of one topic and epoch by sequence. */
  compare(a: string, b: string): number {
    return Number(a.slice(a.lastIndexOf(":") + 1)) - Number(b.slice(b.lastIndexOf(":") + 1));
  }

  /** Closes the connections; pending and later publishes reject. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    clearInterval(this.#syncTimer);
    for (const followed of this.#followed.values()) {
      for (const waiter of followed.waiters) waiter.resolve(false);
    }
    this.#followed.clear();
    this.#redis.destroy();
    return Promise.resolve();
  }

  async #start(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // The client retries a refused first connection forever: give up after connectTimeout.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis did not answer within ${this.#connectTimeout} ms`)),
          this.#connectTimeout,
        );
      });
      await Promise.race([this.#redis.connect(), timeout]);
    } catch (error) {
      await this.close();
      throw new ProtocolError(
        "BACKPLANE_UNAVAILABLE",
        `Cannot connect the Redis backplane: ${describe(error)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
    if (this.#syncInterval > 0) {
      this.#syncTimer = setInterval(() => this.#sweep(), this.#syncInterval);
      // Never keeps a process alive by itself (Node, Deno and Bun timers have unref).
      (this.#syncTimer as { unref?: () => void }).unref?.();
    }
  }

  #key(topic: string, kind: string): string {
    return `${this.#prefix}{t${topic}}${kind}`;
  }

  #channel(topic: string): string {
    return `${this.#prefix}{t${topic}}`;
  }

  #channelOp(channel: string, op: () => Promise<void>): Promise<void> {
    const previous = this.#channelOps.get(channel) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(op);
    this.#channelOps.set(channel, next);
    const forget = () => {
      if (this.#channelOps.get(channel) === next) this.#channelOps.delete(channel);
    };
    next.then(forget, forget);
    return next;
  }

  // The topic's epoch and latest sequence in Redis (["", 0] when it has none).
  async #position(topic: string): Promise<[string, number]> {
    const meta = this.#key(topic, "m");
    const [epoch, seq] = await this.#redis.send(meta, ["HMGET", meta, "e", "s"]) as [
      string | null,
      string | null,
    ];
    return epoch === null ? ["", 0] : [epoch, Number(seq ?? 0)];
  }

  // The held publications with sequences from..to, when the topic is still in `epoch`.
  async #range(topic: string, epoch: string, from: number, to: number): Promise<ChannelMessage[]> {
    const meta = this.#key(topic, "m");
    const [current, , raw] = await this.#redis.send(meta, [
      "EVAL",
      RANGE_SCRIPT,
      "2",
      meta,
      this.#key(topic, "h"),
      String(from),
      String(to),
    ]) as [string, number, string[]];
    if (current !== epoch) return [];
    const entries: ChannelMessage[] = [];
    for (const message of raw) {
      const parsed = parseChannelMessage(message);
      if (parsed !== null) entries.push(parsed);
    }
    return entries;
  }

  #onMessage(topic: string, message: string): void {
    const followed = this.#followed.get(topic);
    if (followed === undefined) return;
    const parsed = parseChannelMessage(message);
    if (parsed !== null) this.#enqueue(followed, parsed);
  }

  #enqueue(followed: Followed, pending: Pending): void {
    followed.queue.push(pending);
    this.#drain(followed);
  }

  // Delivers the queue in order; synchronous unless a skipped sequence must first be fetched.
  #drain(followed: Followed): void {
    if (!followed.ready || followed.busy) return;
    const queue = followed.queue;
    let i = 0;
    while (i < queue.length && this.#followed.get(followed.topic) === followed) {
      const next = queue[i++];
      if (next.epoch !== followed.epoch) {
        if (next.kind === undefined && next.seq === 0) continue;
        // The topic's state was recreated in Redis (expired, or its master lost its data).
        if (followed.epoch !== "") this.#onLoss(followed.topic, "reset");
        this.#resetTo(followed, next.epoch);
      }
      if (next.seq <= followed.seq) continue; // already delivered
      const upTo = next.kind === undefined ? next.seq : next.seq - 1;
      if (upTo > followed.seq) {
        // Skipped sequences: fetch them, then go on with the rest of the queue.
        queue.splice(0, i - (next.kind === undefined ? 0 : 1));
        followed.busy = true;
        this.#fill(followed, upTo).finally(() => {
          followed.busy = false;
          this.#drain(followed);
        });
        return;
      }
      if (next.kind !== undefined) {
        this.#deliver(followed, next);
      }
    }
    queue.length = 0;
  }

  #resetTo(followed: Followed, epoch: string): void {
    followed.epoch = epoch;
    followed.seq = 0;
    for (const waiter of followed.waiters) {
      if (waiter.epoch !== epoch) waiter.resolve(false);
    }
  }

  #deliver(followed: Followed, message: ChannelMessage): void {
    const seq = message.seq;
    followed.seq = seq;
    followed.deliver({
      topic: followed.topic,
      data: dataOf(message.kind, message.data),
      offset: `${followed.epoch}:${seq}`,
      origin: message.origin,
      time: message.time,
    });
    for (const waiter of followed.waiters) {
      if (waiter.epoch === followed.epoch && waiter.seq <= seq) waiter.resolve(true);
    }
  }

  // Delivers sequences after followed.seq up to `upTo` from the history; what it no longer holds
  // is reported lost.
  async #fill(followed: Followed, upTo: number): Promise<void> {
    const epoch = followed.epoch;
    let entries: ChannelMessage[] = [];
    try {
      if (this.#history > 0) {
        entries = await this.#range(followed.topic, epoch, followed.seq + 1, upTo);
      }
    } catch {
      // Redis away: not a loss yet; tried again (by the caller's drain) a little later.
      await new Promise((resolve) => setTimeout(resolve, 200));
      return;
    }
    if (this.#followed.get(followed.topic) !== followed || followed.epoch !== epoch) return;
    if (entries.length !== upTo - followed.seq) this.#onLoss(followed.topic, "behind");
    for (const entry of entries) {
      if (entry.seq <= followed.seq || entry.epoch !== epoch) continue;
      this.#deliver(followed, entry);
    }
    if (followed.seq < upTo) {
      // Lost for good: skip to `upTo` so later publications flow again.
      followed.seq = upTo;
      for (const waiter of followed.waiters) {
        if (waiter.epoch === epoch && waiter.seq <= upTo) waiter.resolve(true);
      }
    }
  }

  // Resolves true once `followed` delivered (epoch, seq); false on another epoch, timeout, close.
  #reached(followed: Followed, epoch: string, seq: number, ms: number): Promise<boolean> {
    if (followed.epoch === epoch && followed.seq >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        epoch,
        seq,
        resolve: (reached) => {
          clearTimeout(timer);
          followed.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), ms);
      followed.waiters.add(waiter);
    });
  }

  // Compares every followed topic's position with Redis and catches up what the channel skipped.
  #sweep(): void {
    for (const followed of this.#followed.values()) {
      if (!followed.ready) continue;
      this.#position(followed.topic).then(([epoch, seq]) => {
        if (this.#followed.get(followed.topic) !== followed) return;
        this.#enqueue(followed, { epoch, seq });
      }, () => {});
    }
  }
}

function publishFailed(reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError("PUBLISH_FAILED", `Cannot publish: ${reason}`, { cause });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function nonNegative(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot create the Redis backplane: ${name} must be an integer >= 0`);
  }
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Cannot create the Redis backplane: ${name} must be an integer >= 1`);
  }
  return value;
}
