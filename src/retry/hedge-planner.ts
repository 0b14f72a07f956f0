/**
 * A method's hedging plan at run time: when to send the next attempt of a call that has not
 * answered, and whether the hedging budget allows it.
 *
 * The delay is fixed, or a percentile of the method's recent latency: the durations of its last
 * 1,000 successful attempts sit in a ring buffer, and the percentile is recomputed (one sort of a
 * copy) every 64 new samples, so a call costs O(1) amortised and the delay follows the method as
 * it speeds up or slows down. No hedge is sent before 20 samples are known. Hedges draw on a
 * budget of their own (a `RetryBudget`), so a slow dependency never gets more than
 * (1 + ratio) × the call rate from hedging.
 */
import type { Clock } from '../core/clock.js';
import type { HedgingOptions } from './hedging-options.js';
import { RetryBudget } from './retry-budget.js';

const SAMPLES = 1_000;
const MIN_SAMPLES = 20;
const RECOMPUTE_EVERY = 64;

export class HedgePlanner {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  private readonly fixedDelayMs: number | undefined;
  private readonly percentile: number;
  private readonly minDelayMs: number;
  private readonly budget: RetryBudget;
  private readonly samples = new Float64Array(SAMPLES);
  private count = 0;
  private sinceRecompute = 0;
  private percentileMs: number | undefined;

  /** @param options validated, enabled hedging options */
  constructor(options: Exclude<HedgingOptions, false>, clock: Clock) {
    this.maxAttempts = options.maxAttempts ?? 2;
    this.fixedDelayMs = options.delayMs;
    this.percentile = options.percentile ?? 0.95;
    this.minDelayMs = options.minDelayMs ?? 1;
    this.budget = new RetryBudget({
      ratio: options.budget?.ratio ?? 0.1,
      minPerSecond: options.budget?.minPerSecond ?? 1,
      clock,
    });
  }

  /** Counts an original call: it earns hedging budget. */
  onOriginalCall(): void {
    this.budget.recordRequest();
  }

  /** Ms to wait before the next hedge, or undefined when the delay is not known yet. */
  delayMs(): number | undefined {
    if (this.fixedDelayMs !== undefined) return this.fixedDelayMs;
    if (this.percentileMs === undefined) return undefined;
    return Math.max(this.minDelayMs, this.percentileMs);
  }

  /** Takes one hedge from the budget; false when it is spent. */
  tryHedge(): boolean {
    return this.budget.tryWithdraw();
  }

  /** Records the duration of a successful attempt (feeds the percentile delay). */
  recordLatency(ms: number): void {
    if (
      !(ms >= 0) ||
      // Stryker disable next-line ConditionalExpression: → false only records samples that delayMs() never reads (a fixed delay is returned first)
      this.fixedDelayMs !== undefined
    )
      return;
    this.samples[this.count % SAMPLES] = ms;
    this.count++;
    if (++this.sinceRecompute >= RECOMPUTE_EVERY || this.count === MIN_SAMPLES) this.recompute();
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const n = Math.min(this.count, SAMPLES);
    // Stryker disable next-line ConditionalExpression: → false is equivalent, recompute() runs only at the 20th sample or 64 after the last run, so n < 20 never holds here (the guard keeps that invariant local)
    if (n < MIN_SAMPLES) return;
    const sorted = this.samples.slice(0, n).sort();
    this.percentileMs = sorted[Math.min(n - 1, Math.floor(this.percentile * n))];
  }
}
