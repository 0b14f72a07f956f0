/**
 * Hedging options of a method policy (gRPC only), and their validation. Hedging sends a further
 * attempt of an idempotent call when the first has not answered within a delay, and takes the
 * first answer (gRFC A6's hedging policy, plus a delay that follows the method's own latency).
 */
import { ConfigError } from '../core/errors.js';
import { readOptions, requireInteger, requirePositive } from '../core/validate.js';

/** Hedging of a method known to be idempotent; `false` (the default) turns it off. */
export type HedgingOptions =
  | false
  | {
      /** Attempts in all, the first included: 2 to 5; default 2. */
      maxAttempts?: number;
      /** Send the next attempt after this many ms without an answer. */
      delayMs?: number;
      /**
       * Or: after the method's recent latency at this percentile (e.g. 0.95), measured over its
       * last 1,000 successful calls (no hedging until 20 are known).
       */
      percentile?: number;
      /** With `percentile`: never hedge sooner than this, ms; default 1. */
      minDelayMs?: number;
      /** Hedges at most `ratio` of recent calls plus `minPerSecond`; default { ratio: 0.1, minPerSecond: 1 }. */
      budget?: { ratio: number; minPerSecond: number };
    };

/** Longest hedging delay (Node's timer limit). */
const MAX_DELAY_MS = 2 ** 31 - 1;
const KEYS = new Set(['maxAttempts', 'delayMs', 'percentile', 'minDelayMs', 'budget']);

/**
 * Validates hedging options and returns a frozen copy.
 * @throws ConfigError naming the option's path and the value received
 */
export function validateHedgingOptions(options: unknown, path: string): HedgingOptions {
  if (options === false) return false;
  const o = readOptions(
    options,
    KEYS,
    path,
    'reject',
    'must be false or { maxAttempts?, delayMs | percentile, ... }',
  );
  const out: Exclude<HedgingOptions, false> = {};
  if (o.maxAttempts !== undefined) {
    const n = requireInteger(o.maxAttempts, `${path}.maxAttempts`, 2);
    if (n > 5) throw new ConfigError(`${path}.maxAttempts`, 'must be at most 5', n);
    out.maxAttempts = n;
  }
  if ((o.delayMs === undefined) === (o.percentile === undefined))
    throw new ConfigError(path, 'needs exactly one of delayMs and percentile', o);
  if (o.delayMs !== undefined) out.delayMs = delay(o.delayMs, `${path}.delayMs`);
  if (o.percentile !== undefined) {
    const p = o.percentile;
    if (typeof p !== 'number' || !(p >= 0.5 && p < 1))
      throw new ConfigError(`${path}.percentile`, 'must be in [0.5, 1)', p);
    out.percentile = p;
  }
  if (o.minDelayMs !== undefined) out.minDelayMs = delay(o.minDelayMs, `${path}.minDelayMs`);
  if (o.budget !== undefined) {
    const b = readOptions(o.budget, new Set(['ratio', 'minPerSecond']), `${path}.budget`);
    out.budget = Object.freeze({
      ratio: requirePositive(b.ratio ?? 0.1, `${path}.budget.ratio`, true),
      minPerSecond: requirePositive(b.minPerSecond ?? 1, `${path}.budget.minPerSecond`, true),
    });
  }
  return Object.freeze(out);
}

function delay(v: unknown, path: string): number {
  const ms = requirePositive(v, path, true);
  if (ms > MAX_DELAY_MS) throw new ConfigError(path, `must be at most ${MAX_DELAY_MS}`, ms);
  return ms;
}
