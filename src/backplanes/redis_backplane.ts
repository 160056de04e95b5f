/**
 * A {@linkcode Backplane} on Redis Streams: every process started with the same Redis shares one
 * set of topics, one order per topic, and resumable history. Built on the official client
 * (`redis` on npm, a peer dependency of this subpath only); runs on Node, Deno and Bun.
 *
 * @module
 */

import { createClient } from "redis";
import type { Backplane } from "../api/topics/backplane.ts";
import type { Publication } from "../api/topics/publication.ts";
import { ProtocolError } from "../errors/protocol_error.ts";

/** Options of {@linkcode RedisBackplane.connect}. */
export interface RedisBackplaneOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Prefix of every key this backplane uses; processes that share topics share it. Default `"omnisocket:"`. */
  prefix?: string;
  /**
   * Publications kept per topic for `subscribe(topic, { since })`: an offset followed by at most
   * this many publications is recovered. Default 1000; 0 keeps none (no recovery).
   */
  history?: number;
  /**
   * Milliseconds a topic's history outlives its last publication; then Redis drops it, so idle
   * topics cost no memory. Default 86 400 000 (one day).
   */
  historyTtl?: number;
  /**
   * Publications of all topics kept on the live stream every process reads (at least this many).
   * A process that falls further behind than this fills the hole from the topics' history, and
   * reports what neither holds through `onLoss`. Default 10 000.
   */
  liveLength?: number;
  /**
   * Called when publications of a followed topic may have been lost for this process, with why:
   * `"behind"`: this process fell behind both `liveLength` and the topic's `history`, so its
   * subscribers of the topic missed publications the other processes delivered (closing them
   * makes their clients resume with `since`, and learn they did not recover); `"reset"`: Redis
   * lost its data (restarted empty), so whatever it had accepted and this process had not read
   * yet is gone for everyone, and offsets from before are not recovered. Default: nothing.
   */
  onLoss?: (topic: string, cause: "behind" | "reset") => void;
  /** Milliseconds {@linkcode RedisBackplane.connect} waits for Redis before it rejects. Default 5 000. */
  connectTimeout?: number;
  /** Called with every connection error (they are retried by themselves). Default: nothing. */
  onError?: (error: unknown) => void;
  /**
   * Counts the reader connection's reconnects (`omnisocket_broker_reconnects_total`):
   * usually the server's own `ServerMetrics`.
   */
  metrics?: { brokerReconnected(): void };
}

type Delivered = Publication & { readonly origin: string };
type Deliver = (publication: Delivered) => void;
type RedisClient = ReturnType<typeof createClient>;
type Fields = Map<string, string>;

interface PendingPublish {
  id: string;
  epoch: string;
  resolve: (offset: string) => void;
  reject: (error: unknown) => void;
}

const READ_BATCH = 1000;
const READ_BLOCK_MS = 2_000;
const RECONNECT_MAX_MS = 2_000;
const READER_WAIT_MS = 5_000;

// One publication, atomically: the epoch (created when Redis has none: it lost its data or is new),
// a global sequence number (a reader tells a hole in the live stream by it), the live stream every
// process reads (trimmed approximately: cheap), then the topic's history under the same id
// (trimmed exactly: `history` is a promise to clients), which expires when idle. The topic entry
// reuses the live id: live ids rise across all topics, so it is above the topic's last id.
// With a fifth key (publishOnce): a publication id already seen within ARGV[9] ms is not
// published again; the script answers the first one's id and epoch, and a third element 1.
const PUBLISH_SCRIPT = `
if KEYS[5] then
  local seen = redis.call('GET', KEYS[5])
  if seen then
    local bar = string.find(seen, '|', 1, true)
    return {string.sub(seen, 1, bar - 1), string.sub(seen, bar + 1), 1}
  end
end
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  redis.call('SET', KEYS[3], ARGV[4])
  epoch = ARGV[4]
end
local seq = redis.call('INCR', KEYS[4])
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
  's', seq, 'e', epoch, 't', ARGV[5], 'k', ARGV[7], 'd', ARGV[6], 'o', ARGV[8])
if tonumber(ARGV[1]) > 0 then
  redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], id, 'k', ARGV[7], 'd', ARGV[6], 'o', ARGV[8])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if KEYS[5] then
  redis.call('SET', KEYS[5], id .. '|' .. epoch, 'PX', ARGV[9])
end
return {id, epoch}
`;

/**
 * Topics shared by every process connected to one Redis, on Redis Streams.
 *
 * - Order: each publication is appended (by one Lua script) to a live stream that every process
 *   reads with a blocking `XREAD` on a connection of its own, and fans out in that stream's order;
 *   so every subscriber of a topic on every process sees one sequence, and `publish` resolves only
 *   once this process has read its own publication back (no local subscriber gets it early).
 * - History: each topic is also a stream capped at `MAXLEN history` that expires `historyTtl`
 *   after its last publication. Offsets are `"epoch:streamId"`; the epoch is a random key created
 *   with the first publication into an empty Redis, so an offset from before Redis lost its data
 *   is never recovered.
 * - Faults: while Redis is unreachable `publish` rejects at once with `PUBLISH_FAILED` (the
 *   client's offline queue is off: nothing is held and sent later); a publish whose connection
 *   failed in flight rejects too and may have been published. Each connection reconnects by
 *   itself with backoff, and the reader resumes after the last id it saw.
 * - Needs one Redis (not Redis Cluster: the script touches several keys) that does not evict
 *   keys (`maxmemory-policy noeviction`, the default).
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
  #publisher: RedisClient;
  #reader: RedisClient;
  #keys: { live: string; epoch: string; seq: string; topic: string };
  #history: number;
  #historyTtl: number;
  #liveLength: number;
  #onLoss: (topic: string, cause: "behind" | "reset") => void;
  #followers = new Map<string, Deliver>();
  // The last id this process has read (and delivered) from the live stream, and its sequence.
  #lastId = "0-0";
  #lastSeq = 0;
  #epoch = "";
  #epochChecked = false;
  // Publishes waiting to be read back, in the order Redis answered them: ascending ids.
  #pending: PendingPublish[] = [];
  #pendingHead = 0;
  #closed = false;
  #reading: Promise<void> = Promise.resolve();
  #wakeReader: (() => void) | null = null;
  #connectTimeout: number;
  #readerWaiters = new Set<{ id: string; resolve: (reached: boolean) => void }>();

  private constructor(options: RedisBackplaneOptions) {
    const prefix = options.prefix ?? "omnisocket:";
    this.#keys = {
      live: `${prefix}live`,
      epoch: `${prefix}epoch`,
      seq: `${prefix}seq`,
      topic: `${prefix}topic:`,
    };
    this.#history = nonNegative("history", options.history ?? 1000);
    this.#historyTtl = positive("historyTtl", options.historyTtl ?? 86_400_000);
    this.#liveLength = positive("liveLength", options.liveLength ?? 10_000);
    this.#onLoss = options.onLoss ?? (() => {});
    this.#connectTimeout = positive("connectTimeout", options.connectTimeout ?? 5_000);
    const onError = options.onError ?? (() => {});
    this.#publisher = createClient({
      url: options.url ?? "redis://127.0.0.1:6379",
      // Commands while disconnected fail at once instead of waiting to be sent on reconnect.
      disableOfflineQueue: true,
      // Replies as RESP2 arrays: the shapes this file reads.
      RESP: 2,
      socket: { reconnectStrategy: backoff },
    });
    // Blocking reads get their own connection so that publishes never wait behind them.
    this.#reader = this.#publisher.duplicate();
    for (const client of [this.#publisher, this.#reader]) client.on("error", onError);
    let readyBefore = false;
    this.#reader.on("ready", () => {
      if (readyBefore) options.metrics?.brokerReconnected();
      readyBefore = true;
      // Redis may have restarted empty while we were away: check the epoch before reading on.
      this.#epochChecked = false;
      this.#wakeReader?.();
    });
  }

  /**
   * Connects to Redis and starts following its live stream; resolves once ready.
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
   * Appends to the topic's order through Redis; resolves with the offset once this process has
   * read it back and fanned it out. Rejects with `PUBLISH_FAILED` when Redis cannot take it.
   */
  publish(topic: string, data: string | Uint8Array, origin: string): Promise<string> {
    return this.#publish(topic, data, origin, null, 0).then(({ offset }) => offset);
  }

  /**
   * Publishes unless `key` was published within `window` ms by any process on this Redis (one
   * key per id, with that expiry, set by the publish script); a repeat resolves with the first
   * offset and `duplicate: true`.
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
    const args = [
      key === null ? "4" : "5",
      this.#keys.topic + topic,
      this.#keys.live,
      this.#keys.epoch,
      this.#keys.seq,
      ...(key === null ? [] : [`${this.#keys.topic}${topic}:id:${key}`]),
      String(this.#history === 0 ? 0 : this.#history + 1),
      String(this.#historyTtl),
      String(this.#liveLength),
      newEpoch(),
      topic,
      typeof data === "string" ? data : encodeBytes(data),
      typeof data === "string" ? "s" : "b",
      origin,
      String(window),
    ];
    let reply: unknown;
    try {
      // EVAL, not EVALSHA: a Redis that restarted has forgotten the script, and a retry after
      // NOSCRIPT could be overtaken by a later publish of ours, breaking their order.
      reply = await send(this.#publisher, ["EVAL", PUBLISH_SCRIPT, ...args]);
    } catch (error) {
      throw publishFailed(`Redis did not accept it (perhaps published): ${describe(error)}`, error);
    }
    const [id, epoch, duplicate] = reply as [string, string, number?];
    if (duplicate === 1) return { offset: `${epoch}:${id}`, duplicate: true };
    const offset = await new Promise<string>((resolve, reject) => {
      const pending = { id, epoch, resolve, reject };
      if (this.#pending.length > this.#pendingHead || !this.#settle(pending)) {
        this.#pending.push(pending);
      }
    });
    return { offset, duplicate: false };
  }

  /** Delivers the topic's publications, from every process, in the live stream's order. */
  follow(
    topic: string,
    deliver: (publication: Publication & { readonly origin: string }) => void,
  ): Promise<void> {
    this.#followers.set(topic, deliver);
    return Promise.resolve();
  }

  /** Stops delivering the topic here. */
  unfollow(topic: string): void {
    this.#followers.delete(topic);
  }

  /**
   * Every publication after `since` from the topic's history, when all are held (the entry at
   * `since` itself still is); null when not, when `since` is of another epoch, or Redis is
   * unreachable.
   */
  async history(topic: string, since: string): Promise<Publication[] | null> {
    const offset = parseOffset(since);
    if (offset === null || this.#history === 0) return null;
    if (offset.epoch !== this.#epoch) return null;
    try {
      // The replay and the live deliveries meet at the reader's position: an offset from a
      // process that is ahead of this one is answered once this reader got there (else what
      // lies between would come live again, duplicated).
      if (!await this.#readerReached(offset.id)) return null;
      const epoch = await send(this.#publisher, ["GET", this.#keys.epoch]);
      if (epoch !== offset.epoch || epoch !== this.#epoch) return null;
      const entries = await this.#range(topic, offset.id, "+");
      if (entries.length === 0 || entries[0][0] !== offset.id) return null;
      // Past the reader's position, entries are still to come live: not replayed (no duplicate).
      const replay: Publication[] = [];
      for (let i = 1; i < entries.length && compareIds(entries[i][0], this.#lastId) <= 0; i++) {
        const [id, fields] = entries[i];
        replay.push({ topic, data: dataOf(fields), offset: `${offset.epoch}:${id}` });
      }
      return replay;
    } catch {
      return null;
    }
  }

  // Resolves true once the reader has delivered `id` (false after READER_WAIT_MS, or on close).
  #readerReached(id: string): Promise<boolean> {
    if (compareIds(id, this.#lastId) <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const settle = (reached: boolean) => {
        clearTimeout(timer);
        this.#readerWaiters.delete(waiter);
        resolve(reached);
      };
      const waiter = { id, resolve: settle };
      const timer = setTimeout(() => settle(false), READER_WAIT_MS);
      this.#readerWaiters.add(waiter);
    });
  }

  /**
   * The offset of the topic's latest held publication that this process has delivered (later
   * ones are still to come live here); "" when there is none or Redis is away.
   */
  async offset(topic: string): Promise<string> {
    try {
      const [epoch, last] = await Promise.all([
        send(this.#publisher, ["GET", this.#keys.epoch]),
        send(this.#publisher, [
          "XREVRANGE",
          this.#keys.topic + topic,
          this.#lastId,
          "-",
          "COUNT",
          "1",
        ]),
      ]);
      const entries = last as Array<[string, string[]]>;
      if (epoch !== this.#epoch || entries.length === 0) return "";
      return `${epoch}:${entries[0][0]}`;
    } catch {
      return "";
    }
  }

  /** Orders two offsets by stream id (milliseconds, then sequence). */
  compare(a: string, b: string): number {
    return compareIds(a.slice(a.lastIndexOf(":") + 1), b.slice(b.lastIndexOf(":") + 1));
  }

  /** Closes both connections; pending and later publishes reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#followers.clear();
    this.#rejectPending("the backplane is closed");
    for (const waiter of this.#readerWaiters) waiter.resolve(false);
    this.#wakeReader?.();
    for (const client of [this.#publisher, this.#reader]) {
      try {
        client.destroy();
      } catch {
        // Already closed.
      }
    }
    await this.#reading;
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
      await Promise.race([
        Promise.all([this.#publisher.connect(), this.#reader.connect()]),
        timeout,
      ]);
      await this.#checkEpoch();
      // Start at the end of the live stream: publications from now on.
      const last = await send(this.#reader, [
        "XREVRANGE",
        this.#keys.live,
        "+",
        "-",
        "COUNT",
        "1",
      ]) as Array<[string, string[]]>;
      if (last.length > 0) {
        this.#lastId = last[0][0];
        this.#lastSeq = Number(fieldsOf(last[0][1]).get("s"));
      } else {
        // Nothing published yet (or only just now): the first entry read must be the next one.
        this.#lastSeq = Number(await send(this.#reader, ["GET", this.#keys.seq]) ?? 0);
      }
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
    this.#reading = this.#readLoop();
  }

  // Reads the live stream for as long as the backplane is open, across reconnections.
  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      try {
        if (!this.#reader.isReady) {
          await this.#sleepUntilWoken(RECONNECT_MAX_MS);
          continue;
        }
        if (!this.#epochChecked) await this.#checkEpoch();
        const reply = await send(this.#reader, [
          "XREAD",
          "COUNT",
          String(READ_BATCH),
          "BLOCK",
          String(READ_BLOCK_MS),
          "STREAMS",
          this.#keys.live,
          this.#lastId,
        ]) as Array<[string, Array<[string, string[]]>]> | null;
        if (reply === null || this.#closed) continue;
        // A batch is delivered without awaiting between entries (unless a hole has to be filled),
        // so the fan-out of a whole batch is flushed to each subscriber in one write: an await per
        // entry made one write syscall per delivery.
        for (const [id, raw] of reply[0][1]) {
          const filling = this.#accept(id, fieldsOf(raw));
          if (filling !== undefined) await filling;
        }
      } catch {
        // The connection failed (it reconnects by itself) or closed: try again once ready.
        if (!this.#closed) await this.#sleepUntilWoken(100);
      }
    }
  }

  // Reads (or creates) the epoch; when it changed, Redis lost its data: what this process had not
  // read is gone, and the new live stream is read from its start.
  async #checkEpoch(): Promise<void> {
    await send(this.#reader, ["SET", this.#keys.epoch, newEpoch(), "NX"]);
    const epoch = await send(this.#reader, ["GET", this.#keys.epoch]) as string;
    if (this.#epoch !== "" && epoch !== this.#epoch) this.#lostData(epoch);
    this.#epoch = epoch;
    this.#epochChecked = true;
  }

  #lostData(epoch: string): void {
    this.#epoch = epoch;
    // The new stream is read from its start, and its sequence starts again at 1.
    this.#lastId = "0-0";
    this.#lastSeq = 0;
    this.#rejectPending(
      "Redis lost its data before this process read it back (perhaps published)",
      epoch,
    );
    for (const topic of [...this.#followers.keys()]) this.#onLoss(topic, "reset");
  }

  // Synchronous unless a hole in the sequence must first be filled from the topics' history.
  #accept(id: string, fields: Fields): Promise<void> | undefined {
    const seq = Number(fields.get("s"));
    const epoch = fields.get("e") ?? "";
    if (epoch !== this.#epoch) {
      // Another process recreated the epoch before our reader noticed Redis came back empty.
      this.#lostData(epoch);
    }
    if (seq > this.#lastSeq + 1) {
      // The live stream was trimmed past us while we lagged: fill from the topics' history.
      return this.#fillHole(this.#lastId, id).then(() =>
        this.#deliverEntry(id, seq, epoch, fields)
      );
    }
    this.#deliverEntry(id, seq, epoch, fields);
    return undefined;
  }

  #deliverEntry(id: string, seq: number, epoch: string, fields: Fields): void {
    this.#lastId = id;
    this.#lastSeq = seq;
    const topic = fields.get("t") ?? "";
    const deliver = this.#followers.get(topic);
    if (deliver !== undefined) {
      deliver({
        topic,
        data: dataOf(fields),
        offset: `${epoch}:${id}`,
        origin: fields.get("o") ?? "",
        time: Number.parseInt(id), // the stream id's milliseconds: when Redis appended it
      });
    }
    this.#settlePending();
    for (const waiter of this.#readerWaiters) {
      if (compareIds(waiter.id, id) <= 0) waiter.resolve(true);
    }
  }

  // Delivers each followed topic's publications between two live ids from its history, when the
  // history surely holds all of them; reports the others as lost.
  async #fillHole(after: string, before: string): Promise<void> {
    for (const [topic] of this.#followers) {
      const key = this.#keys.topic + topic;
      const info = await send(this.#reader, ["XINFO", "STREAM", key]).catch(() => null);
      if (info === null) continue; // no history key: nothing published to it lately
      // Trimming removes the oldest first: the history holds everything after `after` when it
      // never lost an entry, or still holds one at or before `after`. Otherwise some of the hole
      // may be gone (or the topic had none there: a reconnect too many, never a silent loss).
      const stats = new Map<string, unknown>();
      const raw = info as unknown[];
      for (let i = 0; i + 1 < raw.length; i += 2) stats.set(String(raw[i]), raw[i + 1]);
      const first = stats.get("first-entry") as [string, string[]] | null;
      const complete = Number(stats.get("entries-added")) === Number(stats.get("length")) ||
        (first !== null && compareIds(first[0], after) <= 0);
      if (!complete) {
        this.#onLoss(topic, "behind");
        continue;
      }
      const entries = await this.#range(topic, `(${after}`, `(${before}`);
      for (const [id, entry] of entries) {
        const deliver = this.#followers.get(topic);
        const origin = entry.get("o") ?? "";
        deliver?.({ topic, data: dataOf(entry), offset: `${this.#epoch}:${id}`, origin });
      }
    }
  }

  async #range(topic: string, start: string, end: string): Promise<Array<[string, Fields]>> {
    const entries = await send(this.#publisher, [
      "XRANGE",
      this.#keys.topic + topic,
      start,
      end,
    ]) as Array<[string, string[]]>;
    return entries.map(([id, raw]) => [id, fieldsOf(raw)]);
  }

  // Resolves a publish once the reader has gone past its id; false while it has not.
  #settle(pending: PendingPublish): boolean {
    if (pending.epoch !== this.#epoch || compareIds(pending.id, this.#lastId) > 0) return false;
    pending.resolve(`${pending.epoch}:${pending.id}`);
    return true;
  }

  // Rejects the publishes waiting to be read back, but those accepted in `keepEpoch` (still to come).
  #settlePending(): void {
    const pending = this.#pending;
    let head = this.#pendingHead;
    while (head < pending.length && this.#settle(pending[head])) head++;
    if (head === pending.length) {
      this.#pending = [];
      this.#pendingHead = 0;
    } else if (head > 1024 && head * 2 > pending.length) {
      this.#pending = pending.slice(head);
      this.#pendingHead = 0;
    } else {
      this.#pendingHead = head;
    }
  }

  #rejectPending(reason: string, keepEpoch?: string): void {
    const pending = this.#pending.slice(this.#pendingHead);
    this.#pending = pending.filter((waiting) => waiting.epoch === keepEpoch);
    this.#pendingHead = 0;
    for (const waiting of pending) {
      if (waiting.epoch !== keepEpoch) waiting.reject(publishFailed(reason));
    }
  }

  #sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakeReader = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakeReader = wake;
    });
  }
}

// Raw commands: replies in RESP2 shapes (strings, arrays, null), read as the caller expects.
function send<T = unknown>(client: RedisClient, args: string[]): Promise<T> {
  return client.sendCommand(args) as Promise<unknown> as Promise<T>;
}

function backoff(retries: number): number {
  // Exponential from 50 ms to 2 s, with jitter so that a fleet does not reconnect in lockstep.
  return Math.min(50 * 2 ** retries, RECONNECT_MAX_MS) * (0.5 + Math.random() / 2);
}

function publishFailed(reason: string, cause?: unknown): ProtocolError {
  return new ProtocolError("PUBLISH_FAILED", `Cannot publish: ${reason}`, { cause });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let epoch = "";
  for (const byte of bytes) epoch += byte.toString(16).padStart(2, "0");
  return epoch;
}

function fieldsOf(raw: string[]): Fields {
  const fields: Fields = new Map();
  for (let i = 0; i + 1 < raw.length; i += 2) fields.set(String(raw[i]), raw[i + 1]);
  return fields;
}

function dataOf(fields: Fields): string | Uint8Array {
  const data = fields.get("d") ?? "";
  return fields.get("k") === "b" ? decodeBytes(data) : data;
}

// Bytes travel as base64: the client hands replies back as strings.
function encodeBytes(bytes: Uint8Array): string {
  let latin1 = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    latin1 += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(latin1);
}

function decodeBytes(base64: string): Uint8Array {
  const latin1 = atob(base64);
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i);
  return bytes;
}

function parseOffset(offset: string): { epoch: string; id: string } | null {
  const colon = offset.lastIndexOf(":");
  const id = offset.slice(colon + 1);
  if (colon <= 0 || !/^\d{1,20}-\d{1,20}$/.test(id)) return null;
  return { epoch: offset.slice(0, colon), id };
}

function compareIds(a: string, b: string): number {
  const dashA = a.indexOf("-");
  const dashB = b.indexOf("-");
  const ms = Number(a.slice(0, dashA)) - Number(b.slice(0, dashB));
  return ms !== 0 ? ms : Number(a.slice(dashA + 1)) - Number(b.slice(dashB + 1));
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
