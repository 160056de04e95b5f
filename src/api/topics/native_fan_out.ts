/**
 * The seam for runtimes with a pub/sub of their own (Bun's `ws.subscribe` /
 * `server.publish`): the topic registry keeps the order, offsets, history
 * and `since` replay, and hands the writing of live publications to the
 * runtime, one call per publication instead of one send per subscriber.
 *
 * @module
 */

import type { SharedMessage } from "./shared_message.ts";
import type { TopicMember } from "./topic_member.ts";

/** What a native fan-out reports for one publication. */
export interface NativeFanOutResult {
  /** Live subscribers it was written to. */
  delivered: number;
  /** Subscribers closed with 1008 instead (their queue passed `maxBufferedAmount`). */
  overflowed: number;
}

/**
 * Where a runtime writes a topic's live publications itself. The registry
 * calls `join` once a subscription is live (after its replay was written
 * with `send`, in the same synchronous turn, so nothing falls in between),
 * `leave` when it ends, and `publish` once per publication with the member
 * to skip (the publisher, unless `self`, and only when it is a live
 * subscriber) and how many live subscribers the publication is for.
 *
 * @example Bun
 * ```ts ignore
 * const native: NativeFanOut = {
 *   join: (member, topic) => socketOf(member.peer).subscribe(topic),
 *   leave: (member, topic) => socketOf(member.peer).unsubscribe(topic),
 *   publish(topic, message, skip, recipients) {
 *     if (skip === null) server.publish(topic, message.data);
 *     else socketOf(skip.peer).publish(topic, message.data); // Bun skips the sender
 *     return { delivered: recipients, overflowed: 0 };
 *   },
 * };
 * ```
 */
export interface NativeFanOut {
  /** `member`'s subscription to `topic` is live: the runtime writes it what follows. */
  join(member: TopicMember, topic: string): void;
  /** `member` left `topic` (unsubscribe, or close): nothing more of it is written. */
  leave(member: TopicMember, topic: string): void;
  /**
   * Writes one publication to every live subscriber of `topic` but `skip`
   * (null, or a live subscriber): `recipients` of them, as the registry
   * counts (a runtime's own count may cost a walk over its subscribers).
   */
  publish(
    topic: string,
    message: SharedMessage,
    skip: TopicMember | null,
    recipients: number,
  ): NativeFanOutResult;
}
