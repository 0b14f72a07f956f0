/**
 * A retry budget in the manner of Finagle's RetryBudget: over any sliding window (10 s), the
 * retries a client sends may be at most `ratio` of the original calls it made plus a floor of
 * `minPerSecond` per second of the window (so a quiet client can still retry). Under a total
 * outage the load sent is then about (1 + ratio) × the call rate, not maxAttempts × it.
 *
 * Counts live in one-second buckets tagged with their second; expired buckets are subtracted as
 * time moves (at most one pass over the buckets per call), so every operation is O(1) and no
 * timer is used — time comes from the injected clock.
 */
import type { Clock } from '../core/clock.js';

/** Options of a `RetryBudget`. */
export interface RetryBudgetOptions {
  /** Retries allowed per original call over the window; default 0.2. */
  ratio?: number;
  /** Retries always allowed per second, whatever the traffic; default 10. */
  minPerSecond?: number;
  /** Window length, ms; default 10_000. */
  windowMs?: number;
  clock: Clock;
}

const BUCKET_MS = 1_000;

export class RetryBudget {
  private readonly ratio: number;
  private readonly floor: number;
  private readonly clock: Clock;
  private readonly calls: Int32Array;
  private readonly retries: Int32Array;
  /** The second of the newest bucket; undefined before the first call. */
  private head: number | undefined;
  private totalCalls = 0;
  private totalRetries = 0;

  constructor(options: RetryBudgetOptions) {
    const windowMs = options.windowMs ?? 10_000;
    const buckets = Math.max(1, Math.round(windowMs / BUCKET_MS));
    this.ratio = options.ratio ?? 0.2;
    this.floor = (options.minPerSecond ?? 10) * (windowMs / 1_000);
    this.clock = options.clock;
    this.calls = new Int32Array(buckets);
    this.retries = new Int32Array(buckets);
  }

  /** Counts an original call (a deposit). */
  recordRequest(): void {
    const b = this.roll();
    this.calls[b]!++;
    this.totalCalls++;
  }

  /** Takes one retry from the budget; false when it is spent (then do not retry). */
  tryWithdraw(): boolean {
    const b = this.roll();
    if (this.totalRetries + 1 > this.ratio * this.totalCalls + this.floor) return false;
    this.retries[b]!++;
    this.totalRetries++;
    return true;
  }

  /** Retries still allowed in the current window. */
  get available(): number {
    this.roll();
    return Math.max(0, Math.floor(this.ratio * this.totalCalls + this.floor - this.totalRetries));
  }

  private roll(): number {
    const n = this.calls.length;
    const second = Math.floor(this.clock.now() / BUCKET_MS);
    const head = this.head ?? second;
    const steps = Math.min(second - head, n);
    for (let i = 1; i <= steps; i++) {
      const b = bucketOf(head + i, n);
      this.totalCalls -= this.calls[b]!;
      this.totalRetries -= this.retries[b]!;
      this.calls[b] = this.retries[b] = 0;
    }
    this.head = Math.max(head, second);
    return bucketOf(this.head, n);
  }
}

/** The bucket of a second, also for the negative seconds of a clock that reads below 0. */
function bucketOf(second: number, n: number): number {
  return ((second % n) + n) % n;
}
