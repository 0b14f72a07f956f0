/**
 * Small validators for options: each returns the value when it is acceptable and otherwise
 * throws a `ConfigError` naming the option's path and the value received.
 */
import { ConfigError } from './errors.js';

/** Whether `v` is an object that is neither null nor an array. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws unless `v` is a finite number > 0 (or ≥ 0 when `allowZero`). */
export function requirePositive(v: unknown, path: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ConfigError(path, `must be a finite number ${allowZero ? '>= 0' : '> 0'}`, v);
  }
  return v;
}

/** Throws unless `v` is an integer ≥ `min`. */
export function requireInteger(v: unknown, path: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ConfigError(path, `must be an integer >= ${min}`, v);
  }
  return v;
}

/** Throws unless `v` is a number in (0, 1]. */
export function requireRate(v: unknown, path: string): number {
  if (typeof v !== 'number' || !(v > 0 && v <= 1))
    throw new ConfigError(path, 'must be in (0, 1]', v);
  return v;
}

/** Throws on keys this policy does not know (a typo would otherwise be silently ignored). */
export function rejectUnknownKeys(
  o: Record<string, unknown>,
  known: ReadonlySet<string>,
  path: string,
): void {
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new ConfigError(`${path}.${k}`, 'is not a known option', o[k]);
  }
}

/**
 * The longest duration an option may name, ms: 2^31 − 1 (24.8 days), the longest a Node timer
 * can wait. A longer open period or window is indistinguishable from "never" and would overflow
 * the timers and Redis expiries that adapters and stores derive from it.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/** Throws unless `v` is a duration in ms in [`min`, `MAX_DURATION_MS`] (min > 0 by default). */
export function requireDurationMs(v: unknown, path: string, min = 0): number {
  const ms = requirePositive(v, path);
  if (ms < min) throw new ConfigError(path, `must be >= ${min} ms`, v);
  if (ms > MAX_DURATION_MS) throw new ConfigError(path, `must be <= ${MAX_DURATION_MS} ms`, v);
  return ms;
}
