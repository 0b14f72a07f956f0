/**
 * A circuit attached to the Redis store, and how stored states reach it.
 *
 * Generations: the fleet's generation is the one in the circuit's hash. With `sharing: 'any'`
 * every transition goes to the fleet, so a member's circuit generation is the fleet's. With a
 * quorum, a member's own trip and what follows it until it closes again (its "local episode")
 * stay in the member: each of those transitions moves the circuit's generation but not the
 * fleet's. The member keeps the difference (`offset`), so that circuit generation = fleet
 * generation + offset at all times: a fleet state is handed to the circuit at its generation +
 * offset (so a fleet change after a local episode is still newer for the circuit), and a fleet
 * transition of the circuit is written at its generation − offset.
 */
import type { Clock } from '../../core/clock.js';
import type { SyncedCircuit } from '../../core/circuit-sync.js';
import type { CircuitState } from '../../core/types.js';
import { toShared, type StoredState } from '../state-store.js';

/** One attached circuit of a store. */
export interface Member {
  circuit: SyncedCircuit;
  clock: Clock;
  /** The fleet generation the member last took or wrote. */
  fleetGen: number;
  /** Circuit generation − fleet generation: the member's local transitions (quorum only). */
  offset: number;
  /** In a local episode (quorum only): its own trip, which the fleet does not share. */
  local: boolean;
  /** The circuit's state as the store last saw it (published or delivered). */
  state: CircuitState;
}

/** A member for `circuit`, in step with the fleet at the circuit's current generation. */
export function newMember(circuit: SyncedCircuit, clock: Clock): Member {
  const s = circuit.sharedState();
  return { circuit, clock, fleetGen: s.generation, offset: 0, local: false, state: s.state };
}

/**
 * How far apart two open periods of one generation may be and still be the same one: a state
 * read back from Redis went through wall time (integer ms) twice.
 */
const SAME_PERIOD_MS = 5;

/** Longest open period adopted for a circuit without a policy (a stand-in), ms. */
const DEFAULT_MAX_OPEN_MS = 3_600_000;

/** How far past its own maximum an open period read from Redis may reach before it is capped. */
const CLOCK_SLACK_MS = 1_000;

/**
 * Hands a fleet state to a member, unless it is older than what the member knows, or the
 * member's own state read back (after a reconnect, or as both the CAS reply and the hint):
 * adopting that again would count a transition that never happened, since the round trip
 * through wall time moves its open period by a millisecond or so. During a local episode a
 * fleet that is (still, or again) closed is noted but not adopted: the member stays open on its
 * own trip. An open period reaching past the circuit's `openMs.maxMs` from now is capped there,
 * so no state from Redis can keep a circuit open longer than its policy allows.
 */
export function deliver(m: Member, s: StoredState): void {
  const fleetGen = s.generation;
  if (fleetGen < m.fleetGen || (fleetGen === m.fleetGen && m.local)) return;
  const local = m.circuit.sharedState();
  if (m.local && s.state === 'closed') {
    m.fleetGen = fleetGen;
    m.offset = local.generation - fleetGen;
    return;
  }
  m.fleetGen = fleetGen;
  m.local = false;
  m.state = s.state;
  const fleet = { ...s, generation: fleetGen + m.offset };
  const cut = capped(m, fleet);
  const remote = toShared(cut, m.clock);
  // A capped period read again must not restart the cap: it would stay open as long as hints come.
  const samePeriod =
    remote.openUntil === null || local.openUntil === null
      ? remote.openUntil === local.openUntil
      : cut !== fleet || Math.abs(remote.openUntil - local.openUntil) <= SAME_PERIOD_MS;
  const same =
    remote.generation === local.generation &&
    remote.state === local.state &&
    remote.consecutiveOpens === local.consecutiveOpens &&
    samePeriod;
  if (same) return;
  try {
    m.circuit.adopt(remote);
  } catch {
    // a listener's bug (run by the circuit's state change) must not break the store
  }
}

/** `s` with its open period cut to the circuit's longest one from now. */
function capped(m: Member, s: StoredState): StoredState {
  if (s.openUntilWall === null) return s;
  const maxMs = m.circuit.policy?.openMs.maxMs ?? DEFAULT_MAX_OPEN_MS;
  const now = Date.now();
  if (s.openUntilWall <= now + maxMs + CLOCK_SLACK_MS) return s;
  return { ...s, openUntilWall: now + maxMs };
}
