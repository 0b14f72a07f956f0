/**
 * Time-based sliding window: the calls that finished during the last `windowMs`.
 *
 * The window is cut into B buckets of `windowMs / B` each; bucket i holds the calls whose
 * finishing time falls in its slice, tagged with the slice's index so a stale bucket is
 * recognised. Running totals are kept; moving time forward subtracts each bucket that expires
 * (at most B of them, however long the gap), so `add` and `totals` are O(1) — the approach of
 * Resilience4j's SlidingTimeWindowMetrics. The window is accurate to one bucket's width.
 */
import type { RateWindow, WindowTotals } from './rate-window.js';

const BUCKETS = 10;

export class TimeWindow implements RateWindow {
  private readonly bucketMs: number;
  private readonly calls = new Int32Array(BUCKETS);
  private readonly failures = new Int32Array(BUCKETS);
  private readonly slow = new Int32Array(BUCKETS);
  /** Index of the newest slice that has been rolled into place; -1 before the first call. */
  private head = -1;
  private readonly sums: WindowTotals = { calls: 0, failures: 0, slow: 0 };

  /** @param windowMs how far back the window reaches, in ms */
  constructor(windowMs: number) {
    this.bucketMs = windowMs / BUCKETS;
  }

  add(failure: boolean, slow: boolean, now: number): void {
    const b = this.roll(now);
    this.calls[b]!++;
    this.sums.calls++;
    if (failure) {
      this.failures[b]!++;
      this.sums.failures++;
    }
    if (slow) {
      this.slow[b]!++;
      this.sums.slow++;
    }
  }

  totals(now: number): WindowTotals {
    this.roll(now);
    return this.sums;
  }

  reset(): void {
    this.calls.fill(0);
    this.failures.fill(0);
    this.slow.fill(0);
    this.head = -1;
    this.sums.calls = this.sums.failures = this.sums.slow = 0;
  }

  /** Expires the buckets that have slid out of the window; returns the bucket for `now`. */
  private roll(now: number): number {
    const slice = Math.floor(now / this.bucketMs);
    if (this.head === -1) this.head = slice;
    const steps = Math.min(slice - this.head, BUCKETS);
    for (let i = 1; i <= steps; i++) this.clear((this.head + i) % BUCKETS);
    if (slice > this.head) this.head = slice;
    return this.head % BUCKETS;
  }

  private clear(b: number): void {
    this.sums.calls -= this.calls[b]!;
    this.sums.failures -= this.failures[b]!;
    this.sums.slow -= this.slow[b]!;
    this.calls[b] = this.failures[b] = this.slow[b] = 0;
  }
}
