/** Building a circuit's plain-JSON snapshot. */
import type { CircuitSnapshot, CircuitState, TripReason } from './types.js';
import type { WindowTotals } from './windows/rate-window.js';

/** Running totals a circuit keeps since creation. */
export type Counts = CircuitSnapshot['counts'];

/** Fresh zeroed totals. */
export function newCounts(): Counts {
  return {
    successes: 0,
    failures: 0,
    ignored: 0,
    slow: 0,
    rejected: 0,
    fallbacks: 0,
    transitions: 0,
  };
}

/** Everything a snapshot is made of. */
export interface SnapshotInput {
  name: string;
  state: CircuitState;
  generation: number;
  openUntil: number | null;
  now: number;
  consecutiveOpens: number;
  inFlight: number;
  counts: Counts;
  totals: WindowTotals;
  consecutiveFailures: number;
  lastTripReason: TripReason | null;
}

/** A snapshot that shares no object with the circuit (callers may keep or mutate it). */
export function buildSnapshot(i: SnapshotInput): CircuitSnapshot {
  const open = i.state === 'open';
  return {
    name: i.name,
    state: i.state,
    generation: i.generation,
    openUntil: open ? i.openUntil : null,
    retryAfterMs: open && i.openUntil !== null ? Math.max(0, i.openUntil - i.now) : 0,
    consecutiveOpens: i.consecutiveOpens,
    inFlight: i.inFlight,
    counts: { ...i.counts },
    window: {
      calls: i.totals.calls,
      failures: i.totals.failures,
      slow: i.totals.slow,
      failureRate: i.totals.calls ? i.totals.failures / i.totals.calls : 0,
      slowRate: i.totals.calls ? i.totals.slow / i.totals.calls : 0,
      consecutiveFailures: i.consecutiveFailures,
    },
    lastTripReason: i.lastTripReason,
  };
}
