/**
 * Reading snapshots back in (`CircuitRegistry.restore`): a process that starts cold during an
 * outage can begin with its circuits as a previous process's `registry.snapshot()` left them,
 * instead of sending its first calls into a dependency known to be down.
 *
 * A snapshot is outside data (a file, a cache, another process): every field is checked and the
 * whole restore is refused with a `ConfigError` naming the entry and field when one is wrong.
 * Time is the delicate part. A snapshot's `openUntil` is on the old process's monotonic clock and
 * means nothing here, so an open period is aged from `retryAfterMs` and the wall-clock `takenAt`
 * that `registry.snapshot()` stamps (a snapshot without it is taken to be fresh). An open period
 * that has passed restores as half-open (probe first), never as open; one that has not is capped
 * at the longest open period the circuit's own policy allows, so a forged or corrupt file cannot
 * hold a circuit open for longer than the policy ever would.
 */
import type { RestoredState } from '../core/circuit-breaker.js';
import { ConfigError } from '../core/errors.js';
import type { ResolvedCircuitPolicy } from '../core/policy.js';
import { readOptions, type UnknownKeys } from '../core/validate.js';
import type { CircuitSnapshot, CircuitState, TripReason } from '../core/types.js';

/** What a circuit is restored to; `remainingOpenMs` counts from the moment of `restore`. */
export interface RestoredCircuit {
  readonly name: string;
  readonly state: CircuitState;
  readonly remainingOpenMs: number;
  readonly consecutiveOpens: number;
  readonly counts: CircuitSnapshot['counts'];
  readonly lastTripReason: TripReason | null;
}

const STATES: ReadonlySet<string> = new Set([
  'closed',
  'open',
  'half-open',
  'forced-open',
  'disabled',
]);
const TRIP_REASONS: ReadonlySet<string> = new Set([
  'consecutive-failures',
  'failure-rate',
  'slow-call-rate',
  'half-open-failure',
  'forced',
  'remote',
  'probe-failure',
]);
const COUNT_FIELDS = [
  'successes',
  'failures',
  'ignored',
  'slow',
  'rejected',
  'fallbacks',
  'transitions',
] as const;
const COUNT_FIELD_SET: ReadonlySet<string> = new Set(COUNT_FIELDS);
/** The fields of a snapshot entry that a restore reads (the others are ignored). */
const ENTRY_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'state',
  'retryAfterMs',
  'takenAt',
  'consecutiveOpens',
  'counts',
  'lastTripReason',
]);
/** Entries and counts may hold fields a restore does not read (a newer version's). */
// Stryker disable next-line StringLiteral: readOptions rejects unknown keys only for 'reject'
const OTHER_FIELDS: UnknownKeys = 'ignore';
/** More entries than any registry may hold is not a snapshot of one. */
const MAX_ENTRIES = 1_000_000;

/**
 * Checks `snapshots` (what `registry.snapshot()` returned, possibly through JSON) and converts
 * each entry to what its circuit starts as, aged to `wallNow`.
 * @throws ConfigError naming `snapshot[i].field` and the value when an entry is malformed
 */
export function readSnapshots(snapshots: unknown, wallNow: number): RestoredCircuit[] {
  if (!Array.isArray(snapshots))
    throw new ConfigError('snapshot', 'must be an array of circuit snapshots', snapshots);
  if (snapshots.length > MAX_ENTRIES)
    throw new ConfigError('snapshot', `must hold at most ${MAX_ENTRIES} entries`, snapshots.length);
  const seen = new Set<string>();
  return snapshots.map((entry: unknown, i) => {
    const path = `snapshot[${i}]`;
    const restored = readEntry(entry, path, wallNow);
    if (seen.has(restored.name))
      throw new ConfigError(`${path}.name`, 'appears twice in the snapshot', restored.name);
    seen.add(restored.name);
    return restored;
  });
}

function readEntry(entry: unknown, path: string, wallNow: number): RestoredCircuit {
  const { name, state, retryAfterMs, takenAt, consecutiveOpens, counts, lastTripReason } =
    readOptions(entry, ENTRY_FIELDS, path, OTHER_FIELDS, 'must be a circuit snapshot');
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError(`${path}.name`, 'must be a non-empty string', name);
  // Stryker disable next-line ConditionalExpression: the set holds strings only (typeof is for tsc)
  if (typeof state !== 'string' || !STATES.has(state))
    throw new ConfigError(`${path}.state`, `must be one of ${[...STATES].join(', ')}`, state);
  const opens = count(consecutiveOpens, `${path}.consecutiveOpens`, 0);
  let remainingOpenMs = 0;
  if (state === 'open') {
    const retryAfter = finiteAtLeastZero(retryAfterMs, `${path}.retryAfterMs`);
    const age = takenAt === undefined ? 0 : wallNow - finiteAtLeastZero(takenAt, `${path}.takenAt`);
    // A snapshot stamped in the future (clock skew, a forged file) is taken as fresh, no fresher.
    remainingOpenMs = Math.max(0, retryAfter - Math.max(0, age));
  }
  if (lastTripReason !== null && lastTripReason !== undefined) {
    // Stryker disable next-line ConditionalExpression: the set holds strings only (as above)
    if (typeof lastTripReason !== 'string' || !TRIP_REASONS.has(lastTripReason))
      throw new ConfigError(
        `${path}.lastTripReason`,
        'must be a trip reason or null',
        lastTripReason,
      );
  }
  return {
    name,
    state: state as CircuitState,
    remainingOpenMs,
    consecutiveOpens: opens,
    counts: readCounts(counts, `${path}.counts`),
    lastTripReason: (lastTripReason as TripReason | null | undefined) ?? null,
  };
}

function readCounts(v: unknown, path: string): CircuitSnapshot['counts'] {
  if (v === undefined) return zeroCounts();
  const c = readOptions(v, COUNT_FIELD_SET, path, OTHER_FIELDS, 'must be an object of counts');
  const out = zeroCounts();
  for (const field of COUNT_FIELDS) {
    // Stryker disable next-line ConditionalExpression: count() gives 0 for undefined as well
    if (c[field] !== undefined) out[field] = count(c[field], `${path}.${field}`, 0);
  }
  return out;
}

function zeroCounts(): CircuitSnapshot['counts'] {
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

function count(v: unknown, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  // Stryker disable next-line ConditionalExpression: isSafeInteger is false for a non-number
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new ConfigError(path, 'must be a safe integer >= 0', v);
  return v;
}

function finiteAtLeastZero(v: unknown, path: string): number {
  // Stryker disable next-line ConditionalExpression: isFinite is false for a non-number
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new ConfigError(path, 'must be a finite number >= 0', v);
  return v;
}

/** The longest open period `policy` can ever produce (its backoff's ceiling). */
export function longestOpenMs(policy: ResolvedCircuitPolicy): number {
  return Math.max(policy.openMs.initialMs, policy.openMs.maxMs);
}

/**
 * Restored states waiting for their circuits: adapters create circuits lazily with each method's
 * own policy, so an entry is applied when its circuit is created (or at once, if it exists).
 * Open time keeps running meanwhile, measured on the registry's clock.
 */
export class PendingRestores {
  private readonly entries = new Map<string, { circuit: RestoredCircuit; at: number }>();

  constructor(private readonly maxEntries: number) {}

  /** Remembers `circuit` for later; past `maxEntries` the oldest entries are forgotten. */
  add(circuit: RestoredCircuit, now: number): void {
    this.entries.delete(circuit.name);
    this.entries.set(circuit.name, { circuit, at: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      // Stryker disable next-line ConditionalExpression: never done here (size > maxEntries >= 1)
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Takes the entry of circuit `name`, if any. */
  take(name: string, now: number): RestoredCircuit | undefined {
    const e = this.entries.get(name);
    if (!e) return undefined;
    this.entries.delete(name);
    const elapsed = Math.max(0, now - e.at);
    return { ...e.circuit, remainingOpenMs: Math.max(0, e.circuit.remainingOpenMs - elapsed) };
  }
}

/** What `circuit` (with `policy`) starts as for restored entry `r`. */
export function restoredState(r: RestoredCircuit, policy: ResolvedCircuitPolicy): RestoredState {
  return {
    state: r.state,
    openMs: Math.min(r.remainingOpenMs, longestOpenMs(policy)),
    consecutiveOpens: r.consecutiveOpens,
    counts: r.counts,
    lastTripReason: r.lastTripReason,
  };
}
