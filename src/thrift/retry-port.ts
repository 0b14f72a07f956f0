/**
 * The wrapper's view of a method's retry settings (an adapter over src/retry's `RetryPlanner`).
 * No retries without `retry`, with `retry: false` or `maxAttempts: 1`, or for a method marked
 * `idempotent: false` (a call with side effects is never sent twice), as in the gRPC adapter.
 */
import type { Clock } from '../core/clock.js';
import { RetryPlanner } from '../retry/index.js';
import type { ThriftMethodPolicy } from './types.js';

/** What a call needs from its method's retry policy. */
export interface ThriftRetry {
  /** Counts an original (not retried) call, which earns retry budget. */
  onOriginalCall(): void;
  /**
   * Delay in ms before retrying after failed attempt `attempt` (1-based), or undefined when the
   * call must not be retried (attempts used up, budget spent, or no time left before the deadline).
   */
  nextDelay(attempt: number, remainingMs: number): number | undefined;
}

/** The retry planner of a method policy, or undefined when it does not retry. */
export function createThriftRetry(
  policy: ThriftMethodPolicy,
  clock: Clock,
): ThriftRetry | undefined {
  const retry = policy.retry;
  if (!retry || retry.maxAttempts <= 1 || policy.idempotent === false) return undefined;
  return new RetryPlanner(retry, clock);
}
