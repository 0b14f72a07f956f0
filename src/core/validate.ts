/**
 * Small validators for options: each returns the value when it is acceptable and otherwise
 * throws a `ConfigError` naming the option's path and the value received.
 */
import { ConfigError } from './errors.js';

/** How `readOptions` treats own keys it does not know. */
export type UnknownKeys = 'reject' | 'ignore';

/**
 * Reads an options object once: each option in `known` that `o` has (own or inherited, as a
 * property read would see it) is copied into a fresh null-prototype record, and own keys not in
 * `known` are rejected (or ignored). Validators then check the copy, which has no getters: an
 * option is read exactly once, so a getter cannot show the validator one value and the circuit
 * another, and a getter or Proxy trap that throws becomes a ConfigError naming the option, with
 * what it threw as `cause`.
 * @param path the object's option path (`''` when its options are named on their own)
 * @param what the requirement when `o` is not an object
 * @throws ConfigError when `o` is not an object, holds an unknown key, or cannot be read
 */
export function readOptions(
  o: unknown,
  known: ReadonlySet<string>,
  path: string,
  unknown: UnknownKeys = 'reject',
  what = 'must be an object',
): Record<string, unknown> {
  if (!isPlainObject(o)) throw new ConfigError(path || 'options', what, o);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  const out = Object.create(null) as Record<string, unknown>;
  let key = '';
  try {
    if (unknown === 'reject') {
      for (key of Object.keys(o)) {
        if (!known.has(key)) throw new ConfigError(at(key), 'is not a known option', o[key]);
      }
    }
    for (key of known) if (key in o) out[key] = o[key];
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(key ? at(key) : path || 'options', error);
  }
  return out;
}

/**
 * The own enumerable `[key, value]` pairs of `o` (a map keyed by the user, such as `methods`),
 * read once each; a getter or trap that throws becomes a ConfigError naming `path[key]`.
 */
export function readEntries(o: object, path: string): Array<[string, unknown]> {
  let key: string | undefined;
  try {
    const out: Array<[string, unknown]> = [];
    for (key of Object.keys(o)) out.push([key, (o as Record<string, unknown>)[key]]);
    return out;
  } catch (error) {
    throw unreadable(key === undefined ? path : `${path}[${JSON.stringify(key)}]`, error);
  }
}

/**
 * Whether `v` is an object or function with a method for each of `names` (a duck-typed check of
 * a client, registry, clock …); a read that throws is a ConfigError naming `path`.
 */
export function hasMethods(v: unknown, path: string, ...names: string[]): boolean {
  if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return false;
  try {
    return names.every((n) => typeof (v as Record<string, unknown>)[n] === 'function');
  } catch (error) {
    throw unreadable(path, error);
  }
}

/**
 * `o[key]` when `o` is an object or function (else undefined); a read that throws is a
 * ConfigError naming `path`.
 */
export function readOption(o: unknown, key: string, path: string): unknown {
  if ((typeof o !== 'object' && typeof o !== 'function') || o === null) return undefined;
  try {
    return (o as Record<string, unknown>)[key];
  } catch (error) {
    throw unreadable(path, error);
  }
}

/** The ConfigError for an option whose getter (or Proxy trap) threw `error`. */
export function unreadable(path: string, error: unknown): ConfigError {
  return new ConfigError(path, 'could not be read (a getter or Proxy threw)', error, {
    cause: error,
  });
}

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
