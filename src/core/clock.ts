/**
 * Where the circuit engine gets its time. The core never reads `Date.now()` or starts a timer:
 * every decision that depends on time asks a `Clock`, so tests drive time by hand and a circuit
 * that nobody calls costs nothing.
 */

/** A source of monotonic time in milliseconds. Only differences between readings matter. */
export interface Clock {
  /** The current time in milliseconds; never decreases. */
  now(): number;
}

/** The default clock: `performance.now()`, monotonic and unaffected by wall-clock changes. */
export const systemClock: Clock = Object.freeze({ now: () => performance.now() });

/**
 * A clock that only moves when told to; for tests and simulations.
 *
 * @example
 * const clock = new ManualClock();
 * const registry = new CircuitRegistry({ clock });
 * clock.advance(10_000);
 */
export class ManualClock implements Clock {
  private t: number;

  /** @param startMs the first reading, default 0 */
  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  /** Moves time forward by `ms` (must be ≥ 0). */
  advance(ms: number): void {
    if (!(ms >= 0))
      throw new RangeError(`ManualClock.advance(ms) needs ms >= 0; got ${String(ms)}`);
    this.t += ms;
  }
}
