/**
 * Per-method policy, shared by the gRPC and Thrift adapters: its type, its validation, and its
 * resolution from wildcard keys.
 *
 * Resolution: the adapter passes the keys that match a call, most specific first (gRPC:
 * `'/pkg.Svc/Method'`, `'/pkg.Svc/*'`, `'*'`; Thrift: `'method'`, `'*'`). The policies found are
 * merged from least to most specific over `defaults`: the objects `circuit`, `fallback`
 * (and its `cache`) and `retry` merge field by field; lists (`failOn`, `ignore`) and functions
 * replace whole.
 */
import { ConfigError } from '../core/errors.js';
import {
  CIRCUIT_POLICY_KEYS,
  mergeCircuitPolicy,
  resolveCircuitPolicy,
  type CircuitPolicy,
} from '../core/policy.js';
import { isPlainObject, readEntries, readOptions } from '../core/validate.js';
import type { Outcome } from '../core/types.js';
import { requireTimerMs } from '../core/timer-delay.js';
import type { CallContext } from '../classify/call-context.js';
import { validateFallbackOptions, type FallbackOptions } from '../fallback/index.js';
import {
  validateHedgingOptions,
  validateRetryOptions,
  type HedgingOptions,
  type RetryOptions,
} from '../retry/index.js';

/** How calls of one RPC method are judged, limited, retried and answered when the circuit is open. */
export interface MethodPolicy<Failure> {
  /** Circuit policy, merged over the registry's defaults. */
  circuit?: CircuitPolicy;
  /** These count as failures (replaces the adapter's default list). */
  failOn?: Failure[];
  /** These count as neither success nor failure. */
  ignore?: Failure[];
  /** Judges a failed call; wins over `failOn`/`ignore` unless it returns undefined. */
  classify?: (error: unknown, ctx: CallContext) => Outcome | undefined;
  /** Deadline in ms for calls that carry none; at most 2^31 − 1 (what a Node timer can wait). */
  timeoutMs?: number;
  /** Retries of calls classified as failures; default none. */
  retry?: RetryOptions;
  /** What to answer when the circuit rejects a call (or, optionally, when a call fails). */
  fallback?: FallbackOptions;
  /** Safe to repeat: allows retries and cache fallbacks where the adapter knows a method may have side effects. */
  idempotent?: boolean;
  /**
   * gRPC unary methods known to be idempotent: send a further attempt when one has not answered
   * within a delay, and take the first answer. Replaces `retry` for the method. Default none.
   */
  hedging?: HedgingOptions;
}

const KNOWN = new Set([
  'circuit',
  'failOn',
  'ignore',
  'classify',
  'timeoutMs',
  'retry',
  'fallback',
  'idempotent',
  'hedging',
]);

/**
 * Validates one method policy and returns a frozen copy (the caller's object is not modified).
 * @param validateFailure checks one `failOn`/`ignore` entry, throwing `ConfigError`
 * @throws ConfigError naming the option's path and the value received
 */
export function validateMethodPolicy<F>(
  policy: unknown,
  path: string,
  validateFailure: (f: unknown, path: string) => F,
): MethodPolicy<F> {
  const p = readOptions(policy, KNOWN, path);
  const out: MethodPolicy<F> = {};
  if (p.circuit !== undefined) {
    // The copy is what is checked and kept: the caller's object is read once.
    const circuit = readOptions(p.circuit, CIRCUIT_POLICY_KEYS, `${path}.circuit`);
    resolveCircuitPolicy(circuit, `${path}.circuit`);
    out.circuit = Object.freeze({ ...circuit }) as CircuitPolicy;
  }
  for (const key of ['failOn', 'ignore'] as const) {
    const list = p[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new ConfigError(`${path}.${key}`, 'must be an array', list);
    out[key] = Object.freeze(list.map((f, i) => validateFailure(f, `${path}.${key}[${i}]`))) as F[];
  }
  if (p.classify !== undefined) {
    if (typeof p.classify !== 'function')
      throw new ConfigError(`${path}.classify`, 'must be a function', p.classify);
    out.classify = p.classify as MethodPolicy<F>['classify'];
  }
  if (p.timeoutMs !== undefined) out.timeoutMs = requireTimerMs(p.timeoutMs, `${path}.timeoutMs`);
  if (p.retry !== undefined) out.retry = validateRetryOptions(p.retry, `${path}.retry`);
  if (p.fallback !== undefined)
    out.fallback = validateFallbackOptions(p.fallback, `${path}.fallback`);
  if (p.hedging !== undefined) out.hedging = validateHedgingOptions(p.hedging, `${path}.hedging`);
  if (p.idempotent !== undefined) {
    if (typeof p.idempotent !== 'boolean')
      throw new ConfigError(`${path}.idempotent`, 'must be a boolean', p.idempotent);
    out.idempotent = p.idempotent;
  }
  return Object.freeze(out);
}

/**
 * Validates every entry of a `methods` map (keyed by method) and returns a frozen copy.
 * @throws ConfigError naming `methods["key"].option` and the value received
 */
export function validateMethodPolicies<F>(
  methods: unknown,
  path: string,
  validateFailure: (f: unknown, path: string) => F,
): Readonly<Record<string, MethodPolicy<F>>> {
  if (methods === undefined) return Object.freeze({});
  if (!isPlainObject(methods)) {
    throw new ConfigError(path, 'must be an object keyed by method', methods);
  }
  // No prototype: a key such as `__proto__` or `constructor` is an entry like any other (and is
  // then rejected as a method key), never the map's prototype or a lookup of Object's members.
  const out = Object.create(null) as Record<string, MethodPolicy<F>>;
  for (const [key, value] of readEntries(methods, path)) {
    if (value === undefined) continue;
    out[key] = validateMethodPolicy(value, `${path}[${JSON.stringify(key)}]`, validateFailure);
  }
  return Object.freeze(out);
}

/**
 * The policy of a call: the policies of `keys` (most specific first) merged over `defaults`.
 * Inputs should already be validated; the result is frozen.
 */
export function resolveMethodPolicy<F>(
  keys: readonly string[],
  defaults: MethodPolicy<F> | undefined,
  methods: Readonly<Record<string, MethodPolicy<F>>> | undefined,
): MethodPolicy<F> {
  let merged: MethodPolicy<F> = defaults ?? {};
  for (let i = keys.length - 1; i >= 0; i--) {
    const p = methods?.[keys[i]!];
    if (p) merged = mergeMethodPolicy(merged, p);
  }
  return Object.freeze(merged);
}

/** `over` merged onto `base` (see the file's comment for which fields merge and which replace). */
export function mergeMethodPolicy<F>(
  base: MethodPolicy<F>,
  over: MethodPolicy<F>,
): MethodPolicy<F> {
  const out: MethodPolicy<F> = { ...base };
  for (const [k, v] of Object.entries(over) as Array<[keyof MethodPolicy<F>, unknown]>) {
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  if (base.circuit && over.circuit) out.circuit = mergeCircuitPolicy(base.circuit, over.circuit);
  if (isObject(base.retry) && isObject(over.retry)) out.retry = { ...base.retry, ...over.retry };
  if (base.fallback && over.fallback) {
    const fallback: Record<string, unknown> = { ...base.fallback, ...over.fallback };
    if (base.fallback.cache && over.fallback.cache)
      fallback.cache = { ...base.fallback.cache, ...over.fallback.cache };
    out.fallback = fallback as FallbackOptions;
  }
  return out;
}

function isObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

/**
 * Rejects a method's own entry that asks for retries or for the response cache while the method
 * is not safe to repeat: the entry would silently do nothing. Asking through `defaults` or a
 * wildcard stays allowed (it applies to the methods that are safe and is dropped for the rest).
 * Shared by the gRPC and Thrift adapters so both judge a configuration the same way.
 * @param entries each method's own key and entry (wildcard keys left out by the caller)
 * @param unsafe why the method behind `key` is not safe to repeat, or undefined when it is
 * @param howToFix the advice appended to the error for `key`
 * @throws ConfigError naming the entry's `retry` or `fallback.cache`
 */
export function rejectRepeatsOfUnsafeMethods<F>(
  entries: Iterable<readonly [key: string, entry: MethodPolicy<F>]>,
  unsafe: (key: string) => string | undefined,
  howToFix: (key: string) => string,
): void {
  for (const [key, entry] of entries) {
    const asksRetry = isObject(entry.retry) && entry.retry.maxAttempts > 1;
    const asksHedging = isObject(entry.hedging);
    if (!asksRetry && !asksHedging && !entry.fallback?.cache) continue;
    const why = unsafe(key);
    if (why === undefined) continue;
    const path = `methods[${JSON.stringify(key)}]`;
    if (asksHedging) {
      throw new ConfigError(
        `${path}.hedging`,
        `asks to hedge a method ${why}; ${howToFix(key)}`,
        entry.hedging,
      );
    }
    if (asksRetry) {
      throw new ConfigError(
        `${path}.retry`,
        `asks to retry a method ${why}; ${howToFix(key)}`,
        entry.retry,
      );
    }
    throw new ConfigError(
      `${path}.fallback.cache`,
      `asks to answer from a cache a method ${why}; ${howToFix(key)}`,
      entry.fallback!.cache,
    );
  }
}
