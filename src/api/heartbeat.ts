/**
 * One timer per heartbeat interval for all peers, instead of one per peer:
 * 10,000 idle connections cost a set entry each, not 10,000 timers (nor a
 * closure each: members are objects with a `beat` method).
 *
 * @module
 */

/**
 * Something the shared heartbeat calls on every tick.
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export interface HeartbeatMember {
  /** One tick of the heartbeat. */
  beat(): void;
}

interface Beat {
  timer: ReturnType<typeof setInterval>;
  members: Set<HeartbeatMember>;
}

const byInterval = new Map<number, Beat>();

/**
 * Calls `member.beat()` every `interval` ms until
 * {@linkcode leaveHeartbeat}. Members of one interval share a timer,
 * started with the first and stopped with the last.
 *
 * @example
 * ```ts ignore
 * joinHeartbeat(30_000, session);
 * // when the peer closes:
 * leaveHeartbeat(30_000, session);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function joinHeartbeat(interval: number, member: HeartbeatMember): void {
  let entry = byInterval.get(interval);
  if (entry === undefined) {
    const members = new Set<HeartbeatMember>();
    const timer = setInterval(() => {
      for (const each of members) each.beat();
    }, interval);
    entry = { timer, members };
    byInterval.set(interval, entry);
  }
  entry.members.add(member);
}

/**
 * Stops calling `member` (a no-op if it is not a member); the last member
 * out stops the timer.
 *
 * @example
 * ```ts ignore
 * leaveHeartbeat(30_000, session);
 * ```
 *
 * @internal Not exported by any entry point (mod.ts, protocol.ts, the adapters); free to change.
 */
export function leaveHeartbeat(interval: number, member: HeartbeatMember): void {
  const entry = byInterval.get(interval);
  if (entry === undefined || !entry.members.delete(member)) return;
  if (entry.members.size === 0) {
    clearInterval(entry.timer);
    byInterval.delete(interval);
  }
}
