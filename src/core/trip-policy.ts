/**
 * Validation of a circuit's `trip` option. Besides types and ranges it rejects a rate policy
 * that could never trip: a count window of N calls never holds more than N, so a `minimumCalls`
 * above `windowCalls` would keep the circuit closed whatever fails (the default `minimumCalls` is
 * capped at `windowCalls` for the same reason).
 */
import { ConfigError } from './errors.js';
import type { ResolvedCircuitPolicy } from './policy.js';
import { readOptions, requireDurationMs, requireInteger, requireRate } from './validate.js';

/** `minimumCalls` when not given (capped at `windowCalls`). */
export const DEFAULT_MINIMUM_CALLS = 10;
/** `windowMs` when neither window is given. */
export const DEFAULT_WINDOW_MS = 10_000;
/** Largest count window: one byte per call, so 1 MB per circuit at most. */
export const MAX_WINDOW_CALLS = 1_000_000;
/** Smallest time window: 10 buckets of at least 1 ms (see windows/time-window.ts). */
export const MIN_WINDOW_MS = 10;

const TRIP_KEYS: ReadonlySet<string> = new Set([
  'consecutiveFailures',
  'failureRate',
  'minimumCalls',
  'windowCalls',
  'windowMs',
]);

/**
 * Checks a `trip` option and fills in its defaults.
 * @throws ConfigError naming the offending option and the value received
 */
export function validateTrip(trip: unknown, path: string): ResolvedCircuitPolicy['trip'] {
  const v = readOptions(trip, TRIP_KEYS, path);
  if ('consecutiveFailures' in v) {
    for (const k of Object.keys(v)) {
      if (k !== 'consecutiveFailures')
        throw new ConfigError(`${path}.${k}`, 'is not a known option', v[k]);
    }
    return {
      kind: 'consecutive',
      consecutiveFailures: requireInteger(v.consecutiveFailures, `${path}.consecutiveFailures`),
    };
  }
  if (!('failureRate' in v))
    throw new ConfigError(path, 'must have consecutiveFailures or failureRate', v);
  if (v.windowCalls !== undefined && v.windowMs !== undefined) {
    throw new ConfigError(`${path}.windowMs`, 'cannot be combined with windowCalls', v.windowMs);
  }
  const failureRate = requireRate(v.failureRate, `${path}.failureRate`);
  const windowCalls =
    v.windowCalls === undefined ? undefined : requireInteger(v.windowCalls, `${path}.windowCalls`);
  if (windowCalls !== undefined && windowCalls > MAX_WINDOW_CALLS) {
    throw new ConfigError(`${path}.windowCalls`, `must be <= ${MAX_WINDOW_CALLS}`, windowCalls);
  }
  const minimumCalls =
    v.minimumCalls === undefined
      ? Math.min(DEFAULT_MINIMUM_CALLS, windowCalls ?? DEFAULT_MINIMUM_CALLS)
      : requireInteger(v.minimumCalls, `${path}.minimumCalls`);
  if (windowCalls !== undefined && minimumCalls > windowCalls) {
    throw new ConfigError(
      `${path}.minimumCalls`,
      `must be <= windowCalls (${windowCalls}): the window never holds more calls, so the circuit could never trip`,
      minimumCalls,
    );
  }
  const windowMs =
    v.windowMs === undefined
      ? DEFAULT_WINDOW_MS
      : requireDurationMs(v.windowMs, `${path}.windowMs`, MIN_WINDOW_MS);
  return { kind: 'rate', failureRate, minimumCalls, windowCalls, windowMs };
}
