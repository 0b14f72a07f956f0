/**
 * The interceptor's view of a method's retry policy: `RetryPlanner` (src/retry) on the registry's
 * clock. Only unary calls retry.
 */
import type { Clock } from '../core/clock.js';
import { RetryPlanner } from '../retry/index.js';
import type { GrpcMethodPolicy } from './options.js';

/** What a unary call needs from its method's retry policy. */
export interface RetryPort {
  /** Counts an original (not retried) call, which earns retry budget. */
  onOriginalCall(): void;
  /**
   * Delay in ms before retrying after failed attempt number `attempt` (1-based), or undefined
   * when the call must not be retried (attempts used up, budget spent, or the delay would not fit
   * in `remainingMs` before the deadline).
   */
  nextDelay(attempt: number, remainingMs: number, pushbackMs?: number): number | undefined;
}

/**
 * The retry plan of a method, or undefined when it does not retry (no `retry`, `retry: false`,
 * `maxAttempts: 1`, or `idempotent: false`: a call with side effects is never sent twice).
 */
export function createRetryPort(policy: GrpcMethodPolicy, clock: Clock): RetryPort | undefined {
  const retry = policy.retry;
  if (!retry || retry.maxAttempts <= 1 || policy.idempotent === false) return undefined;
  return new RetryPlanner(retry, clock);
}
