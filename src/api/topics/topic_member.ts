/**
 * A Peer's side of its topics: its subscriptions and how a publication is
 * written to it.
 *
 * @module
 */

import type { PeerLimits, PeerState, PeerTransport } from "../peer_transport.ts";
import type { SharedMessage } from "./shared_message.ts";

/** Outcome of {@linkcode TopicMember.write}. */
export type WriteOutcome = "written" | "skipped" | "overflowed";

/** One subscription of one member to one topic. */
export interface Subscription {
  /**
   * Publications that arrived while the subscription was being answered
   * (history being fetched), written once it is ready; null once live.
   */
  held: { offset: string; message: SharedMessage }[] | null;
  /** Resolves once the subscription is live (answered). */
  ready: Promise<void> | null;
}

/**
 * The member's peer, as topics see it (a `Peer`): what it is closed with
 * when its queue overflows. The peer object itself is the key adapters find
 * its socket by.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface MemberPeer {
  close(code?: number, reason?: string): void;
}

/**
 * The registry a member leaves when its peer closes (a `TopicRegistry`).
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface MemberRegistry {
  leave(member: TopicMember): void;
}

/**
 * Created for a Peer on its first topic operation; the registry keys
 * subscribers by it.
 *
 * @example
 * ```ts ignore
 * const member = new TopicMember(peer, transport, limits, state, registry);
 * member.write(new SharedMessage("hi", true)); // "written"
 * ```
 */
export class TopicMember {
  /** The peer it belongs to. */
  readonly peer: MemberPeer;
  /** Its subscriptions by topic. */
  readonly subscriptions: Map<string, Subscription> = new Map();
  #transport: PeerTransport;
  #limits: PeerLimits;
  #state: PeerState;
  #registry: MemberRegistry;

  /** Binds a member to its peer's transport and state, and to the server's registry. */
  constructor(
    peer: MemberPeer,
    transport: PeerTransport,
    limits: PeerLimits,
    state: PeerState,
    registry: MemberRegistry,
  ) {
    this.peer = peer;
    this.#registry = registry;
    this.#transport = transport;
    this.#limits = limits;
    this.#state = state;
  }

  /** The peer is closing: it leaves every topic. */
  leave(): void {
    this.#registry.leave(this);
  }

  /** True while the peer is open (publications are written to it). */
  get open(): boolean {
    return this.#state.readyState === 1;
  }

  /**
   * Writes one publication's message, as `peer.send` would: the shared frame
   * bytes where the transport takes them, else the data. A queue past
   * `maxBufferedAmount` closes the peer with 1008.
   */
  write(message: SharedMessage): WriteOutcome {
    const state = this.#state;
    if (state.readyState !== 1) return "skipped";
    const transport = this.#transport;
    const buffered = transport.sendShared !== undefined
      ? transport.sendShared(message)
      : transport.send(message.data);
    const limits = this.#limits;
    if (buffered > limits.maxBufferedAmount) {
      this.peer.close(1008, "send buffer overflow");
      return "overflowed";
    }
    if (buffered > limits.backpressureLimit && !state.awaitingDrain) {
      state.awaitingDrain = true;
      transport.watchDrain?.();
    }
    return "written";
  }
}
