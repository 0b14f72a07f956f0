/** Retry options of a method policy, and their validation. */
import { ConfigError } from '../core/errors.js';
import { readOptions, requireInteger, requirePositive } from '../core/validate.js';

/** Retries of calls classified as failures; `false` (the default) turns them off. */
export type RetryOptions =
  | false
  | {
      /** Attempts in all, the first call included (1 = no retry). */
      maxAttempts: number;
      /** First backoff ceiling, ms; default 100. */
      initialDelayMs?: number;
      /** Largest backoff ceiling, ms; default 5_000. */
      maxDelayMs?: number;
      /** Retries at most `ratio` of recent calls plus `minPerSecond` (over 10 s); default { ratio: 0.2, minPerSecond: 10 }. */
      budget?: { ratio: number; minPerSecond: number };
    };

const KEYS = new Set(['maxAttempts', 'initialDelayMs', 'maxDelayMs', 'budget']);
const BUDGET_KEYS = new Set(['ratio', 'minPerSecond']);

/**
 * Validates retry options and returns a frozen copy.
 * @throws ConfigError naming the option's path and the value received
 */
export function validateRetryOptions(o: unknown, path: string): RetryOptions {
  if (o === false) return false;
  const r = readOptions(
    o,
    KEYS,
    path,
    'reject',
    'must be false or { maxAttempts, initialDelayMs?, maxDelayMs?, budget? }',
  );
  const out: Exclude<RetryOptions, false> = {
    maxAttempts: requireInteger(r.maxAttempts, `${path}.maxAttempts`),
  };
  if (r.initialDelayMs !== undefined)
    out.initialDelayMs = requirePositive(r.initialDelayMs, `${path}.initialDelayMs`, true);
  if (r.maxDelayMs !== undefined)
    out.maxDelayMs = requirePositive(r.maxDelayMs, `${path}.maxDelayMs`, true);
  // (a missing bound never conflicts: no maxDelayMs is below an initialDelayMs of 0)
  if ((out.maxDelayMs ?? Infinity) < (out.initialDelayMs ?? 0)) {
    throw new ConfigError(
      `${path}.maxDelayMs`,
      `must be >= initialDelayMs (${out.initialDelayMs})`,
      out.maxDelayMs,
    );
  }
  if (r.budget !== undefined) {
    const b = readOptions(r.budget, BUDGET_KEYS, `${path}.budget`);
    out.budget = Object.freeze({
      ratio: requirePositive(b.ratio ?? 0.2, `${path}.budget.ratio`, true),
      minPerSecond: requirePositive(b.minPerSecond ?? 10, `${path}.budget.minPerSecond`, true),
    });
  }
  return Object.freeze(out);
}
