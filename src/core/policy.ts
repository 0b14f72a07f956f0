/**
 * Circuit policy: the options a user writes, their validation and their defaults.
 *
 * `validateCircuitPolicy` checks every field and throws a `ConfigError` naming the option's path
 * and the value received; `resolveCircuitPolicy` fills in defaults and freezes the result so that
 * a circuit never sees the caller's (mutable) object.
 */
import { ConfigError } from './errors.js';
import { validateTrip } from './trip-policy.js';
import {
  readOptions,
  requireDurationMs,
  requireInteger,
  requirePositive,
  requireRate,
} from './validate.js';

/** When a closed circuit opens. */
export type TripPolicy =
  | {
      /** Opens after this many failures in a row (a success resets the count). */
      consecutiveFailures: number;
    }
  | {
      /** Opens when the share of failures in the window is at or above this (0..1]. */
      failureRate: number;
      /**
       * No decision is made with fewer calls than this in the window; default 10, or
       * `windowCalls` when that is smaller. At most `windowCalls`.
       */
      minimumCalls?: number;
      /** Count-based window: the last N calls. Mutually exclusive with `windowMs`. */
      windowCalls?: number;
      /** Time-based window in ms, default 10_000 (used when `windowCalls` is not given). */
      windowMs?: number;
    };

/** Exponential backoff of the open period across consecutive re-opens. */
export interface OpenBackoff {
  /** Open time of the first opening, ms. */
  initialMs: number;
  /** Upper bound of the open time, ms. */
  maxMs: number;
  /** Growth per consecutive re-open; default 2. */
  multiplier?: number;
  /** 0..1: the open time is shortened by up to this share at random; default 0. */
  jitter?: number;
}

/** Context handed to a `halfOpenProbe`. */
export interface ProbeContext {
  /** The circuit being probed. */
  readonly circuit: string;
}

/** How a circuit decides to open, how long it stays open and how it tests recovery. */
export interface CircuitPolicy {
  /** When to open; default `{ consecutiveFailures: 5 }`. */
  trip?: TripPolicy;
  /** A call taking at least this many ms is "slow". */
  slowCallMs?: number;
  /** Opens when the share of slow calls in the window reaches this (0..1]; needs `slowCallMs`. */
  slowCallRate?: number;
  /** Open time in ms (default 10_000), or a backoff over consecutive re-opens. */
  openMs?: number | OpenBackoff;
  /** Calls let through at once while half-open; default 1. */
  halfOpenProbes?: number;
  /** Successful probes needed to close; default `halfOpenProbes`. */
  halfOpenSuccesses?: number;
  /** Bulkhead: calls beyond this many in flight are rejected (not counted as failures). */
  maxConcurrent?: number;
  /**
   * A health check run by the circuit itself when half-open, instead of letting user calls
   * through as probes: user calls keep being rejected (or served fallbacks) until it resolves.
   * A resolved promise counts as a success, a rejected one as a failure.
   */
  halfOpenProbe?: (ctx: ProbeContext) => Promise<unknown>;
  /**
   * Deadline of each `halfOpenProbe` run, ms; default 10_000. A check still pending this long
   * after it started counts as a failure (judged when the circuit is next read; no timer).
   */
  halfOpenProbeTimeoutMs?: number;
}

/** A validated policy with every default filled in; frozen. */
export interface ResolvedCircuitPolicy {
  readonly trip:
    | { readonly kind: 'consecutive'; readonly consecutiveFailures: number }
    | {
        readonly kind: 'rate';
        readonly failureRate: number;
        readonly minimumCalls: number;
        readonly windowCalls: number | undefined;
        readonly windowMs: number;
      };
  readonly slowCallMs: number | undefined;
  readonly slowCallRate: number | undefined;
  readonly openMs: Readonly<Required<OpenBackoff>>;
  readonly halfOpenProbes: number;
  readonly halfOpenSuccesses: number;
  readonly maxConcurrent: number | undefined;
  readonly halfOpenProbe: ((ctx: ProbeContext) => Promise<unknown>) | undefined;
  readonly halfOpenProbeTimeoutMs: number;
}

const DEFAULT_OPEN_MS = 10_000;
const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
/** Every option of a `CircuitPolicy`. */
export const CIRCUIT_POLICY_KEYS: ReadonlySet<string> = new Set([
  'trip',
  'slowCallMs',
  'slowCallRate',
  'openMs',
  'halfOpenProbes',
  'halfOpenSuccesses',
  'maxConcurrent',
  'halfOpenProbe',
  'halfOpenProbeTimeoutMs',
]);

const OPEN_BACKOFF_KEYS: ReadonlySet<string> = new Set([
  'initialMs',
  'maxMs',
  'multiplier',
  'jitter',
]);

function validateOpenMs(v: unknown, path: string): Required<OpenBackoff> {
  if (v === undefined)
    return { initialMs: DEFAULT_OPEN_MS, maxMs: DEFAULT_OPEN_MS, multiplier: 1, jitter: 0 };
  if (typeof v === 'number') {
    const ms = requireDurationMs(v, path);
    return { initialMs: ms, maxMs: ms, multiplier: 1, jitter: 0 };
  }
  const o = readOptions(
    v,
    OPEN_BACKOFF_KEYS,
    path,
    'reject',
    'must be a number of ms or { initialMs, maxMs, multiplier?, jitter? }',
  );
  const initialMs = requireDurationMs(o.initialMs, `${path}.initialMs`);
  const maxMs = requireDurationMs(o.maxMs, `${path}.maxMs`);
  if (maxMs < initialMs)
    throw new ConfigError(`${path}.maxMs`, `must be >= initialMs (${initialMs})`, maxMs);
  const multiplier =
    o.multiplier === undefined ? 2 : requirePositive(o.multiplier, `${path}.multiplier`);
  if (multiplier < 1) throw new ConfigError(`${path}.multiplier`, 'must be >= 1', multiplier);
  let jitter = 0;
  if (o.jitter !== undefined) {
    if (typeof o.jitter !== 'number' || !(o.jitter >= 0 && o.jitter <= 1)) {
      throw new ConfigError(`${path}.jitter`, 'must be in [0, 1]', o.jitter);
    }
    jitter = o.jitter;
  }
  return { initialMs, maxMs, multiplier, jitter };
}

/**
 * Validates a circuit policy and fills in its defaults.
 * @param policy what the user wrote (not modified)
 * @param path the option path used in error messages, default `circuit`
 * @throws ConfigError naming the offending option and the value received
 */
export function resolveCircuitPolicy(policy: unknown, path = 'circuit'): ResolvedCircuitPolicy {
  const p = policy === undefined ? {} : readOptions(policy, CIRCUIT_POLICY_KEYS, path);
  const trip =
    p.trip === undefined
      ? { kind: 'consecutive' as const, consecutiveFailures: 5 }
      : validateTrip(p.trip, `${path}.trip`);
  const slowCallMs =
    p.slowCallMs === undefined ? undefined : requireDurationMs(p.slowCallMs, `${path}.slowCallMs`);
  const slowCallRate =
    p.slowCallRate === undefined ? undefined : requireRate(p.slowCallRate, `${path}.slowCallRate`);
  if (slowCallRate !== undefined && slowCallMs === undefined) {
    throw new ConfigError(`${path}.slowCallRate`, 'needs slowCallMs to be set', slowCallRate);
  }
  const halfOpenProbes =
    p.halfOpenProbes === undefined ? 1 : requireInteger(p.halfOpenProbes, `${path}.halfOpenProbes`);
  const halfOpenSuccesses =
    p.halfOpenSuccesses === undefined
      ? halfOpenProbes
      : requireInteger(p.halfOpenSuccesses, `${path}.halfOpenSuccesses`);
  const maxConcurrent =
    p.maxConcurrent === undefined
      ? undefined
      : requireInteger(p.maxConcurrent, `${path}.maxConcurrent`);
  if (p.halfOpenProbe !== undefined && typeof p.halfOpenProbe !== 'function') {
    throw new ConfigError(
      `${path}.halfOpenProbe`,
      'must be a function returning a Promise',
      p.halfOpenProbe,
    );
  }
  const resolved: ResolvedCircuitPolicy = Object.freeze({
    trip: Object.freeze(trip),
    slowCallMs,
    slowCallRate,
    openMs: Object.freeze(validateOpenMs(p.openMs, `${path}.openMs`)),
    halfOpenProbes,
    halfOpenSuccesses,
    maxConcurrent,
    halfOpenProbe: p.halfOpenProbe as ResolvedCircuitPolicy['halfOpenProbe'],
    halfOpenProbeTimeoutMs:
      p.halfOpenProbeTimeoutMs === undefined
        ? DEFAULT_PROBE_TIMEOUT_MS
        : requirePositive(p.halfOpenProbeTimeoutMs, `${path}.halfOpenProbeTimeoutMs`),
  });
  RESOLVED.add(resolved);
  return resolved;
}

const RESOLVED = new WeakSet<object>();

/** Returns `policy` itself when it came from `resolveCircuitPolicy`, else resolves it. */
export function ensureResolved(
  policy: CircuitPolicy | ResolvedCircuitPolicy | undefined,
): ResolvedCircuitPolicy {
  if (policy && RESOLVED.has(policy)) return policy as ResolvedCircuitPolicy;
  return resolveCircuitPolicy(policy);
}

/**
 * Merges `over` onto `base` one level deep: a field set in `over` replaces the one in `base`
 * (`trip` and `openMs` are replaced whole, since their variants do not mix).
 */
export function mergeCircuitPolicy(
  base: CircuitPolicy | undefined,
  over: CircuitPolicy | undefined,
): CircuitPolicy {
  if (!over) return { ...base };
  if (!base) return { ...over };
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) if (v !== undefined) out[k] = v;
  return out as CircuitPolicy;
}
