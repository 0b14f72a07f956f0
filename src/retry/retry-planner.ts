/**
 * A method's retry plan at run time. The adapter calls `onOriginalCall()` for every call and,
 * after an attempt that was classified as a failure (never after a circuit rejection, which
 * ends the call at once), `nextDelay(attempt, remainingMs)`: the delay to wait before the next
 * attempt, or undefined to stop. The adapter does the waiting and sends each attempt through the
 * circuit again, so a circuit that opens mid-retries stops them.
 */
import type { Clock } from '../core/clock.js';
import { DEFAULT_INITIAL_DELAY_MS, DEFAULT_MAX_DELAY_MS, retryDelayMs } from './backoff.js';
import { RetryBudget } from './retry-budget.js';
import type { RetryOptions } from './retry-options.js';

export class RetryPlanner {
  readonly maxAttempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly budget: RetryBudget;

  /** @param options validated, enabled retry options */
  constructor(
    options: Exclude<RetryOptions, false>,
    clock: Clock,
    private readonly random: () => number = Math.random,
  ) {
    this.maxAttempts = options.maxAttempts;
    this.initialDelayMs = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
    this.maxDelayMs = Math.max(options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS, 0);
    this.budget = new RetryBudget({
      ratio: options.budget?.ratio,
      minPerSecond: options.budget?.minPerSecond,
      clock,
    });
  }

  /** Counts an original call: it earns retry budget. */
  onOriginalCall(): void {
    this.budget.recordRequest();
  }

  /**
   * @param attempt the attempt that just failed, 1-based
   * @param remainingMs time left before the call's deadline, if it has one
   * @param pushbackMs a delay the server asked for (gRPC `grpc-retry-pushback-ms`), used instead
   *   of the backoff; one longer than `maxDelayMs` stops the retries (the server wants more time
   *   than this method is willing to wait)
   * @returns ms to wait before the next attempt, or undefined to stop retrying
   */
  nextDelay(attempt: number, remainingMs?: number, pushbackMs?: number): number | undefined {
    if (attempt >= this.maxAttempts) return undefined;
    if (pushbackMs !== undefined && !(pushbackMs >= 0 && pushbackMs <= this.maxDelayMs))
      return undefined;
    const delay =
      pushbackMs ?? retryDelayMs(attempt, this.initialDelayMs, this.maxDelayMs, this.random);
    if (delay >= (remainingMs ?? Infinity)) return undefined;
    if (!this.budget.tryWithdraw()) return undefined;
    return delay;
  }

  /** Retries the budget still allows now. */
  get budgetAvailable(): number {
    return this.budget.available;
  }
}
