/** The contract of a sliding window that counts calls, failures and slow calls. */

/** Totals over the window as it stands. */
export interface WindowTotals {
  calls: number;
  failures: number;
  slow: number;
}

/**
 * A sliding window of finished calls. `add` and `totals` are O(1) (amortised over a bounded
 * number of buckets), so a window can sit on every call's path.
 */
export interface RateWindow {
  /** Counts one finished call at clock time `now`. */
  add(failure: boolean, slow: boolean, now: number): void;
  /** The totals at clock time `now` (expired calls no longer count); a live view, do not keep. */
  totals(now: number): Readonly<WindowTotals>;
  /** Forgets every call. */
  reset(): void;
}
