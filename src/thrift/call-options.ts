/**
 * Per-call options of a wrapped Thrift client: an `AbortSignal` and a deadline of the caller's
 * own, passed as the last argument of the call (before a callback, if any).
 *
 * A generated method's arguments are the IDL's, so the options need a mark that no IDL value can
 * carry: `thriftCallOptions()` returns a frozen object branded with a registered symbol, which
 * the wrapper strips from the arguments before the call is sent. The symbol is `Symbol.for`, so
 * options made by one copy of rpc-breaker are recognized by another.
 */
import { ConfigError } from '../core/errors.js';
import { rejectUnknownKeys } from '../core/validate.js';
import { requireTimerMs } from '../core/timer-delay.js';

const CALL_OPTIONS_BRAND: unique symbol = Symbol.for('rpc-breaker.thrift-call-options') as never;

/** What a caller may set for one Thrift call. */
export interface ThriftCallOptionsInit {
  /**
   * Ends the call when aborted: nothing is sent if it is already aborted, a pending attempt is
   * abandoned (its late reply dropped), a retry delay or an async fallback is cut short. The call
   * rejects with `signal.reason`, and the circuit counts it as nothing (a caller's own cancel).
   */
  signal?: AbortSignal;
  /**
   * Deadline of this call, all attempts and an async fallback included, ms; replaces the
   * method's `timeoutMs` (default 10_000) for this call only.
   */
  timeoutMs?: number;
}

/** Options of one call, as `thriftCallOptions()` makes them; pass as the call's last argument. */
export interface ThriftCallOptions extends Readonly<ThriftCallOptionsInit> {
  readonly [CALL_OPTIONS_BRAND]: true;
}

const KNOWN = new Set(['signal', 'timeoutMs']);

/**
 * Makes per-call options for a wrapped Thrift client's method, passed as its last argument:
 * `await catalog.getItem(7, thriftCallOptions({ signal, timeoutMs: 500 }))`.
 * @throws ConfigError when `signal` is not an AbortSignal or `timeoutMs` is not a number of ms in
 *   (0, 2^31 − 1], naming the option and the value
 */
export function thriftCallOptions(init: ThriftCallOptionsInit): ThriftCallOptions {
  if (typeof init !== 'object' || init === null || Array.isArray(init)) {
    throw new ConfigError('thriftCallOptions', 'must be given an object', init);
  }
  rejectUnknownKeys(init as Record<string, unknown>, KNOWN, 'thriftCallOptions');
  const { signal, timeoutMs } = init;
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new ConfigError('thriftCallOptions.signal', 'must be an AbortSignal', signal);
  }
  const out: { -readonly [K in keyof ThriftCallOptions]: ThriftCallOptions[K] } = {
    [CALL_OPTIONS_BRAND]: true,
  };
  if (signal !== undefined) out.signal = signal;
  if (timeoutMs !== undefined)
    out.timeoutMs = requireTimerMs(timeoutMs, 'thriftCallOptions.timeoutMs');
  return Object.freeze(out);
}

/** True when `v` was made by `thriftCallOptions()` (of any copy of rpc-breaker). */
export function isThriftCallOptions(v: unknown): v is ThriftCallOptions {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as Record<symbol, unknown>)[CALL_OPTIONS_BRAND] === true
  );
}

function isAbortSignal(v: unknown): v is AbortSignal {
  if (v instanceof AbortSignal) return true;
  // A signal from another realm or polyfill: the shape the wrapper uses.
  const s = v as Partial<AbortSignal> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function' &&
    typeof s.removeEventListener === 'function'
  );
}
