/**
 * Count-based sliding window: the last N finished calls.
 *
 * A ring buffer holds one byte per call (bit 0: counted, bit 1: failure, bit 2: slow). Adding a
 * call overwrites the oldest slot and subtracts that slot's old flags from running totals, so
 * both `add` and `totals` are O(1) and the memory is N bytes.
 */
import type { RateWindow, WindowTotals } from './rate-window.js';

const COUNTED = 1;
const FAILURE = 2;
const SLOW = 4;

export class CountWindow implements RateWindow {
  private readonly slots: Uint8Array;
  private next = 0;
  private readonly sums: WindowTotals = { calls: 0, failures: 0, slow: 0 };

  /** @param size how many of the most recent calls the window holds */
  constructor(size: number) {
    this.slots = new Uint8Array(size);
  }

  add(failure: boolean, slow: boolean): void {
    const old = this.slots[this.next] ?? 0;
    if (old & COUNTED) {
      this.sums.calls--;
      if (old & FAILURE) this.sums.failures--;
      if (old & SLOW) this.sums.slow--;
    }
    this.slots[this.next] = COUNTED | (failure ? FAILURE : 0) | (slow ? SLOW : 0);
    this.sums.calls++;
    if (failure) this.sums.failures++;
    if (slow) this.sums.slow++;
    this.next = (this.next + 1) % this.slots.length;
  }

  totals(): WindowTotals {
    return this.sums;
  }

  reset(): void {
    this.slots.fill(0);
    this.next = 0;
    this.sums.calls = this.sums.failures = this.sums.slow = 0;
  }
}
