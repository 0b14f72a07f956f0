/**
 * How long a circuit stays open: fixed, or growing exponentially with each consecutive re-open
 * (initialMs × multiplier^(n-1), capped at maxMs), shortened at random by up to `jitter` of
 * itself so that a fleet does not probe a recovering dependency in lockstep.
 */
import type { OpenBackoff } from './policy.js';

/**
 * @param backoff the resolved open-time policy
 * @param consecutiveOpens 1 for the first opening since the circuit last closed
 * @param random a source of numbers in [0, 1)
 * @returns the open time in ms
 */
export function openDurationMs(
  backoff: Readonly<Required<OpenBackoff>>,
  consecutiveOpens: number,
  random: () => number = Math.random,
): number {
  const steps = Math.max(0, consecutiveOpens - 1);
  const nominal = Math.min(backoff.maxMs, backoff.initialMs * Math.pow(backoff.multiplier, steps));
  return backoff.jitter > 0 ? nominal * (1 - backoff.jitter * random()) : nominal;
}
