/** A circuit attached to the Redis store, and how stored states reach it. */
import type { Clock } from '../../core/clock.js';
import type { SyncedCircuit } from '../../core/circuit-sync.js';
import { toShared, type StoredState } from '../state-store.js';

/** One attached circuit of a store. */
export interface Member {
  circuit: SyncedCircuit;
  clock: Clock;
}

/**
 * How far apart two open periods of one generation may be and still be the same one: a state
 * read back from Redis went through wall time (integer ms) twice.
 */
const SAME_PERIOD_MS = 5;

/**
 * Hands a stored state to a member, unless it is the member's own state read back (after a
 * reconnect, or as both the CAS reply and the channel message): adopting that again would
 * count a transition that never happened, since the round trip through wall time moves its
 * open period by a millisecond or so.
 */
export function deliver(m: Member, s: StoredState): void {
  const remote = toShared(s, m.clock);
  const local = m.circuit.sharedState();
  const samePeriod =
    remote.openUntil === null || local.openUntil === null
      ? remote.openUntil === local.openUntil
      : Math.abs(remote.openUntil - local.openUntil) <= SAME_PERIOD_MS;
  const same =
    remote.generation === local.generation &&
    remote.state === local.state &&
    remote.consecutiveOpens === local.consecutiveOpens &&
    samePeriod;
  if (!same) m.circuit.adopt(remote);
}
