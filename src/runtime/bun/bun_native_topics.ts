/**
 * Topics on Bun's own pub/sub: the registry keeps order, offsets, history
 * and replay; Bun writes each live publication to every subscriber with one
 * `server.publish` (or `ws.publish`, which skips the sending socket).
 *
 * @module
 */

import type { MemberPeer } from "../../api/topics/topic_member.ts";
import type { NativeFanOut, NativeFanOutResult } from "../../api/topics/native_fan_out.ts";

/** The parts of Bun's ServerWebSocket that topics use. */
export interface BunTopicSocket {
  readonly readyState: number;
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  isSubscribed(topic: string): boolean;
  publish(topic: string, data: string | Uint8Array): number;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
}

/** The parts of Bun's Server that topics use. */
export interface BunTopicServer {
  publish(topic: string, data: string | Uint8Array): number;
}

// Bun's publish status: 0 when a subscriber's message was dropped (past
// backpressureLimit); the worst status across subscribers (bun PR #32889).
const DROPPED = 0;

/**
 * The {@linkcode NativeFanOut} of a Bun server. `socketOf` finds a peer's
 * socket; `server` is read on each publish (it exists once `Bun.serve`
 * returned). Bun's `backpressureLimit` is `maxBufferedAmount` without
 * `closeOnBackpressureLimit`: a publish that reports a drop closes every
 * socket past the limit with 1008 (Bun alone would drop the connection
 * with no close frame), the others having had the message.
 *
 * @example
 * ```ts ignore
 * const topics = new TopicRegistry(resolved.topics, bunFanOut(() => server, sockets, limit));
 * ```
 */
export function bunFanOut(
  server: () => BunTopicServer,
  socketOf: (peer: MemberPeer) => BunTopicSocket | undefined,
  openSockets: () => Iterable<BunTopicSocket>,
  maxBufferedAmount: number,
): NativeFanOut {
  return {
    join(member, topic) {
      const socket = socketOf(member.peer);
      // A socket that is closing gets nothing more anyway.
      if (socket !== undefined && socket.readyState === 1) socket.subscribe(topic);
    },
    leave(member, topic) {
      const socket = socketOf(member.peer);
      // Bun unsubscribes a closed socket from everything by itself.
      if (socket !== undefined && socket.readyState === 1) socket.unsubscribe(topic);
    },
    publish(topic, message, skip, recipients): NativeFanOutResult {
      // Bun's subscriberCount walks the topic's subscribers: the registry counts instead.
      let sender = skip === null ? undefined : socketOf(skip.peer);
      if (sender !== undefined && sender.readyState !== 1) sender = undefined;
      const status = sender === undefined
        ? server().publish(topic, message.data)
        : sender.publish(topic, message.data); // skips the sender
      let overflowed = 0;
      if (status === DROPPED && recipients > 0) {
        for (const socket of openSockets()) {
          if (socket.readyState !== 1 || socket.getBufferedAmount() <= maxBufferedAmount) continue;
          if (socket.isSubscribed(topic) && socket !== sender) overflowed++;
          socket.close(1008, "send buffer overflow");
        }
      }
      return { delivered: recipients - overflowed, overflowed };
    },
  };
}
