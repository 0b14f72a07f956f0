/**
 * The longest delay a Node timer honours. `setTimeout` and `setInterval` treat a delay above
 * 2^31 − 1 ms (about 24.8 days), or one that is not a number, as 1 ms: a deadline 30 days away
 * would fire at once. Every timer in rpc-breaker goes through `timerDelayMs`, and a waiter whose
 * end lies further away re-arms when the clamped timer fires. The core itself starts no timer;
 * this is arithmetic shared by the adapters and stores that do.
 */
import { ConfigError } from './errors.js';

/** Longest delay Node's timers honour, ms (2^31 − 1). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * `ms` as a timer delay: clamped to [0, MAX_TIMER_DELAY_MS]; NaN counts as 0. A caller waiting
 * longer must check on firing whether its time has really come.
 */
export function timerDelayMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return ms > MAX_TIMER_DELAY_MS ? MAX_TIMER_DELAY_MS : ms;
}

/**
 * Validates a duration a timer will wait (a call's `timeoutMs`, a probe's deadline): a finite
 * number in (0, MAX_TIMER_DELAY_MS].
 * @throws ConfigError naming `path` and the value otherwise
 */
export function requireTimerMs(v: unknown, path: string): number {
  if (typeof v !== 'number' || !(v > 0 && v <= MAX_TIMER_DELAY_MS)) {
    throw new ConfigError(path, `must be a number of ms in (0, ${MAX_TIMER_DELAY_MS}]`, v);
  }
  return v;
}
