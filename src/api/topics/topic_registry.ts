/**
 * A server's topics: who subscribes to what in this process, and the
 * fan-out of every publication the backplane delivers, encoded once.
 *
 * @module
 */

import { ProtocolError } from "../../errors/protocol_error.ts";
import type { ServerMetrics } from "../metrics/server_metrics.ts";
import type { Backplane } from "./backplane.ts";
import type { NativeFanOut } from "./native_fan_out.ts";
import { InProcessBackplane } from "../../backplanes/in_process_backplane.ts";
import type { Publication } from "./publication.ts";
import type { PublishOptions, PublishResult } from "./publish_options.ts";
import { SharedMessage } from "./shared_message.ts";
import type { SubscribeOptions, SubscribeResult } from "./subscribe_options.ts";
import type { Subscription, TopicMember } from "./topic_member.ts";
import type { TopicOptions } from "./topic_options.ts";

type Resolved = Required<Omit<TopicOptions, "format" | "backplane">> & TopicOptions & {
  metrics?: ServerMetrics;
};
type Delivered = Publication & { readonly origin: string };

// The topics this process follows: subscribers in subscription order.
interface TopicState {
  subscribers: Map<TopicMember, Subscription>;
  followed: Promise<void>;
  // Set once `followed` resolved: from then on every publication accepted is delivered here.
  following: boolean;
  // Subscriptions still catching up (held !== null): a native fan-out skips them.
  catchingUp: number;
}

// A publish of this process waiting for its own fan-out.
interface PendingPublish {
  topic: string;
  skip: TopicMember | null;
  result: PublishResult | null;
  settle: ((result: PublishResult) => void) | null;
}

const encoder = new TextEncoder();
let nextRegistry = 0;

/**
 * Subscriptions and fan-out of one server (one per `serve()` / `attach()`).
 * Every publication goes through the backplane, which fixes its offset and
 * the topic's one order, and comes back to {@linkcode TopicRegistry} in that
 * order; it is then formatted once, wrapped in one {@linkcode SharedMessage}
 * and written to each local subscriber in subscription order.
 *
 * @example
 * ```ts ignore
 * const topics = new TopicRegistry(resolveServerOptions({}).topics);
 * await topics.publish("room", "hello"); // { offset: "…:1", delivered: 0, overflowed: 0 }
 * ```
 */
export class TopicRegistry {
  #options: Resolved;
  #backplane: Backplane;
  // The in-process backplane delivers synchronously: its fast path skips promises.
  #local: InProcessBackplane | null;
  // A backplane given in the options belongs to the caller, who closes it.
  #ownsBackplane: boolean;
  #topics = new Map<string, TopicState>();
  #pending = new Map<string, PendingPublish>();
  #origin = `${(++nextRegistry).toString(36)}.${Math.random().toString(36).slice(2, 8)}.`;
  #sequence = 0;
  #deliver = (publication: Delivered) => this.#fanOut(publication);
  #native: NativeFanOut | null;
  #metrics: ServerMetrics | undefined;

  /**
   * Creates the registry; without `options.backplane`, over a new in-process
   * one. With `native`, live publications are written by the runtime's own
   * pub/sub (Bun) instead of one send per subscriber.
   */
  constructor(options: Resolved, native?: NativeFanOut) {
    this.#options = options;
    this.#native = native ?? null;
    this.#metrics = options.metrics;
    const backplane = options.backplane ?? new InProcessBackplane({
      history: options.history,
      maxHistoryTopics: options.maxHistoryTopics,
    });
    this.#backplane = backplane;
    this.#local = backplane instanceof InProcessBackplane ? backplane : null;
    this.#ownsBackplane = options.backplane === undefined;
  }

  /** Subscribers of `topic` in this process. */
  subscriberCount(topic: string): number {
    return this.#topics.get(topic)?.subscribers.size ?? 0;
  }

  /** The topics `member` subscribes to. */
  topicsOf(member: TopicMember | null): ReadonlySet<string> {
    return new Set(member?.subscriptions.keys());
  }

  /** `peer.subscribe()`: see {@linkcode SubscribeOptions}. */
  subscribe(
    member: TopicMember,
    topic: string,
    options: SubscribeOptions = {},
  ): Promise<SubscribeResult> {
    const invalid = this.#check(topic, "subscribe") ?? closedError(member, "subscribe");
    if (invalid !== null) return Promise.reject(invalid);
    const existing = member.subscriptions.get(topic);
    if (existing !== undefined) return this.#answerAgain(existing, topic, options);
    if (member.subscriptions.size >= this.#options.maxTopicsPerPeer) {
      return Promise.reject(
        new ProtocolError(
          "TOO_MANY_TOPICS",
          `Cannot subscribe: the peer already subscribes to ${this.#options.maxTopicsPerPeer} topics (maxTopicsPerPeer)`,
        ),
      );
    }
    const subscription: Subscription = { held: [], ready: null };
    member.subscriptions.set(topic, subscription);
    this.#metrics?.subscriptions(1);
    const state = this.#follow(topic);
    state.subscribers.set(member, subscription);
    state.catchingUp++;
    const local = this.#local;
    if (local !== null && options.since === undefined) {
      // In process: nothing can arrive in between, so it goes live at once.
      const result: SubscribeResult = { recovered: false, offset: local.offsetNow(topic) };
      return Promise.resolve(this.#goLive(member, topic, subscription, result, null, options));
    }
    const ready = this.#catchUp(member, topic, subscription, state, options);
    subscription.ready = ready.then(() => {}, () => {});
    return ready;
  }

  /** `peer.unsubscribe()`: nothing more of the topic is written once it returns. */
  unsubscribe(member: TopicMember, topic: string): void {
    const subscription = member.subscriptions.get(topic);
    if (subscription === undefined) return;
    member.subscriptions.delete(topic);
    this.#metrics?.subscriptions(-1);
    const state = this.#topics.get(topic);
    if (state === undefined) return;
    state.subscribers.delete(member);
    if (subscription.held !== null) {
      subscription.held = null;
      state.catchingUp--;
    }
    this.#native?.leave(member, topic);
    if (state.subscribers.size === 0) this.#unfollow(topic);
  }

  /** A closing peer leaves every topic. */
  leave(member: TopicMember): void {
    for (const topic of [...member.subscriptions.keys()]) this.unsubscribe(member, topic);
  }

  /**
   * `peer.publish()` (with the publishing member) and `server.publish()`
   * (without): through the backplane, then fanned out here in its order.
   */
  publish(
    topic: string,
    data: string | Uint8Array,
    options: PublishOptions = {},
    member: TopicMember | null = null,
  ): Promise<PublishResult> {
    const invalid = this.#check(topic, "publish") ??
      (member === null ? null : closedError(member, "publish"));
    if (invalid !== null) return Promise.reject(invalid);
    if (typeof data !== "string" && !(data instanceof Uint8Array)) {
      return Promise.reject(
        new TypeError("Cannot publish: data must be a string or a Uint8Array"),
      );
    }
    const metrics = this.#metrics;
    metrics?.published(topic);
    const origin = this.#origin + (++this.#sequence).toString(36);
    const pending: PendingPublish = {
      topic,
      skip: options.self === true ? null : member,
      result: null,
      settle: null,
    };
    if (options.compress !== undefined) this.#compression.set(origin, options.compress);
    this.#pending.set(origin, pending);
    const local = this.#local;
    if (local !== null) {
      // Delivered synchronously inside publishNow: the result is known on return.
      let offset: string;
      try {
        offset = local.publishNow(topic, data, origin);
      } finally {
        this.#pending.delete(origin);
        this.#compression.delete(origin);
      }
      return Promise.resolve(pending.result ?? { offset, delivered: 0, overflowed: 0 });
    }
    const start = metrics === undefined ? 0 : performance.now();
    // Only a topic followed before this publish is owed its delivery here: one followed later (or
    // again, after its last subscriber left) may start past it, and waiting would never end.
    const followedBefore = this.#topics.get(topic);
    const comesBack = followedBefore?.following === true;
    const key = options.idempotencyKey;
    const publishOnce = this.#backplane.publishOnce;
    const accepted = key === undefined || publishOnce === undefined
      ? this.#backplane.publish(topic, data, origin)
      : publishOnce.call(
        this.#backplane,
        topic,
        data,
        origin,
        key,
        options.idempotencyWindow ?? 120_000,
      ).then(({ offset, duplicate }) => {
        // Not published again: nothing of it comes back to wait for.
        if (duplicate) pending.result = { offset, delivered: 0, overflowed: 0 };
        return offset;
      });
    return accepted.then(
      (offset) => {
        metrics?.backplanePublish((performance.now() - start) / 1000);
        if (pending.result !== null || !comesBack || this.#topics.get(topic) !== followedBefore) {
          this.#pending.delete(origin);
          this.#compression.delete(origin);
          return pending.result ?? { offset, delivered: 0, overflowed: 0 };
        }
        // Followed here: resolves when the backplane delivers it back (or the topic is left).
        return new Promise<PublishResult>((resolve) => {
          pending.settle = resolve;
          pending.result = { offset, delivered: 0, overflowed: 0 };
        });
      },
      (error) => {
        this.#pending.delete(origin);
        this.#compression.delete(origin);
        throw error instanceof ProtocolError ? error : new ProtocolError(
          "PUBLISH_FAILED",
          "Cannot publish: the backplane did not accept the publication (perhaps not published)",
          { cause: error },
        );
      },
    );
  }

  /** Stops following every topic; closes the backplane unless it came from the options. */
  async close(): Promise<void> {
    for (const topic of [...this.#topics.keys()]) this.#unfollow(topic);
    if (this.#ownsBackplane) await this.#backplane.close();
  }

  // `PublishOptions.compress` of publications that set it, by origin, while in flight.
  #compression = new Map<string, boolean>();

  #fanOut(publication: Delivered): void {
    const state = this.#topics.get(publication.topic);
    if (state === undefined) return;
    const pending = this.#pending.get(publication.origin);
    const skip = pending?.skip ?? null;
    const format = this.#options.format;
    const message = new SharedMessage(
      format === undefined ? publication.data : format(publication),
      this.#compression.get(publication.origin),
    );
    let delivered = 0;
    let overflowed = 0;
    const native = this.#native;
    if (native !== null) {
      // One call writes to every live subscriber; those catching up hold it.
      if (state.catchingUp > 0) {
        for (const [member, subscription] of state.subscribers) {
          if (member === skip || subscription.held === null) continue;
          subscription.held.push({ offset: publication.offset, message });
          delivered++;
        }
      }
      // The sender is skipped only where it receives the topic natively (live).
      const skipped = skip !== null && state.subscribers.get(skip)?.held === null ? skip : null;
      const recipients = state.subscribers.size - state.catchingUp - (skipped === null ? 0 : 1);
      const written = native.publish(publication.topic, message, skipped, recipients);
      delivered += written.delivered;
      overflowed += written.overflowed;
      // Written by the runtime, not through a member: counted here.
      const metrics = this.#metrics;
      if (metrics !== undefined) {
        metrics.sentBytes(message.size, written.delivered);
        for (let i = 0; i < written.overflowed; i++) {
          metrics.slowConsumer();
          metrics.closeSent(1008);
        }
      }
    } else {
      for (const [member, subscription] of state.subscribers) {
        if (member === skip) continue;
        const held = subscription.held;
        if (held !== null) {
          held.push({ offset: publication.offset, message });
          delivered++;
          continue;
        }
        const outcome = member.write(message);
        if (outcome === "written") delivered++;
        else if (outcome === "overflowed") overflowed++;
      }
    }
    const metrics = this.#metrics;
    if (metrics !== undefined) {
      metrics.delivered(publication.topic, delivered);
      const time = publication.time;
      if (time !== undefined && !publication.origin.startsWith(this.#origin)) {
        metrics.backplaneLag((Date.now() - time) / 1000);
      }
    }
    if (pending === undefined) return;
    const result = { offset: publication.offset, delivered, overflowed };
    if (pending.settle !== null) {
      this.#pending.delete(publication.origin);
      this.#compression.delete(publication.origin);
      pending.settle(result);
    } else {
      pending.result = result;
    }
  }

  // Answers a subscribe with `since`, or over a backplane that delivers
  // later: live publications are held while the history is fetched.
  async #catchUp(
    member: TopicMember,
    topic: string,
    subscription: Subscription,
    state: TopicState,
    options: SubscribeOptions,
  ): Promise<SubscribeResult> {
    const backplane = this.#backplane;
    let replay: Publication[] | null = null;
    let offset = "";
    try {
      await state.followed;
      const since = options.since;
      [replay, offset] = await Promise.all([
        typeof since === "string" && since !== ""
          ? backplane.history(topic, since)
          : Promise.resolve(null),
        backplane.offset(topic),
      ]);
      if (replay !== null) {
        offset = replay.length > 0 ? replay[replay.length - 1].offset : options.since!;
      }
    } catch (error) {
      if (member.subscriptions.get(topic) === subscription) this.unsubscribe(member, topic);
      throw error instanceof ProtocolError ? error : new ProtocolError(
        "SUBSCRIBE_FAILED",
        "Cannot subscribe: the backplane did not answer",
        { cause: error },
      );
    }
    const result: SubscribeResult = { recovered: replay !== null, offset };
    if (typeof options.since === "string" && options.since !== "") {
      this.#metrics?.resumed(result.recovered);
    }
    if (member.subscriptions.get(topic) !== subscription) return result; // left meanwhile
    return this.#goLive(member, topic, subscription, result, replay, options);
  }

  #goLive(
    member: TopicMember,
    topic: string,
    subscription: Subscription,
    result: SubscribeResult,
    replay: Publication[] | null,
    options: SubscribeOptions,
  ): SubscribeResult {
    options.onReady?.(result);
    const format = this.#options.format;
    let last: string | null = null;
    if (replay !== null) {
      last = options.since!;
      for (const publication of replay) {
        member.write(
          new SharedMessage(
            format === undefined ? publication.data : format(publication),
            undefined,
          ),
        );
        last = publication.offset;
      }
    }
    // onReady may have unsubscribed or closed the peer.
    const held = subscription.held;
    subscription.held = null;
    subscription.ready = null;
    if (held !== null && member.subscriptions.get(topic) === subscription) {
      this.#topics.get(topic)!.catchingUp--;
      const compare = this.#backplane;
      for (const { offset, message } of held) {
        if (last !== null && compare.compare(offset, last) <= 0) continue;
        member.write(message);
      }
      // Same synchronous turn as the writes above: nothing can fall in between.
      this.#native?.join(member, topic);
    }
    return result;
  }

  async #answerAgain(
    subscription: Subscription,
    topic: string,
    options: SubscribeOptions,
  ): Promise<SubscribeResult> {
    if (subscription.ready !== null) await subscription.ready;
    const result: SubscribeResult = {
      recovered: false,
      offset: this.#local?.offsetNow(topic) ?? await this.#backplane.offset(topic),
    };
    options.onReady?.(result);
    return result;
  }

  #follow(topic: string): TopicState {
    let state = this.#topics.get(topic);
    if (state === undefined) {
      const created: TopicState = {
        subscribers: new Map(),
        followed: Promise.resolve(),
        following: false,
        catchingUp: 0,
      };
      state = created;
      this.#topics.set(topic, created);
      this.#metrics?.topics(1);
      created.followed = this.#backplane.follow(topic, this.#deliver);
      created.followed.then(() => (created.following = true), () => {});
    }
    return state;
  }

  #unfollow(topic: string): void {
    if (this.#topics.delete(topic)) this.#metrics?.topics(-1);
    this.#backplane.unfollow(topic);
    // Publishes of ours waiting for this topic's fan-out: nobody here is left to write to.
    for (const [origin, pending] of this.#pending) {
      if (pending.topic !== topic || pending.settle === null) continue;
      this.#pending.delete(origin);
      this.#compression.delete(origin);
      pending.settle(pending.result!);
    }
  }

  #check(topic: string, action: string): ProtocolError | null {
    if (typeof topic !== "string" || topic.length === 0) {
      return new ProtocolError(
        "INVALID_TOPIC",
        `Cannot ${action}: the topic must be a non-empty string`,
      );
    }
    const max = this.#options.maxTopicLength;
    // A UTF-16 unit is at most 3 UTF-8 bytes: count only when it could matter.
    if (topic.length * 3 > max && encoder.encode(topic).length > max) {
      return new ProtocolError(
        "INVALID_TOPIC",
        `Cannot ${action}: the topic is longer than ${max} bytes of UTF-8 (maxTopicLength)`,
      );
    }
    // A lone surrogate has no UTF-8 form: such a topic could not reach Redis,
    // storage or another runtime unchanged.
    if (!(topic as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      return new ProtocolError(
        "INVALID_TOPIC",
        `Cannot ${action}: the topic is not valid Unicode (it has a lone surrogate)`,
      );
    }
    return null;
  }
}

function closedError(member: TopicMember, action: string): ProtocolError | null {
  return member.open
    ? null
    : new ProtocolError("PEER_NOT_OPEN", `Cannot ${action}: the peer is not open`);
}
