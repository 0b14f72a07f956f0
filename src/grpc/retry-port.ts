/**
 * The interceptor's view of a method's retry settings (adapter over src/retry).
 * PLACEHOLDER until src/retry lands.
 */
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
  nextDelay(attempt: number, remainingMs: number): number | undefined;
}

/** The retry port of a method policy, or undefined when it does not retry. */
export function createRetryPort(policy: GrpcMethodPolicy): RetryPort | undefined {
  if (!policy.retry) return undefined;
  return undefined;
}
