/**
 * The trip detector of a closed circuit: whether its recent calls say it should open.
 *
 * It keeps what the policy needs and nothing more — a consecutive-failure count always; a
 * count or time window (see windows/) only for a failure-rate or slow-call-rate policy; the list
 * of calls in flight only for a slow-call-rate policy, so that calls hung past `slowCallMs` count
 * as slow before they finish (see in-flight.ts). Slow-call rate is judged over the failure-rate
 * window, or over a 10 s time window with 10 minimum calls under a consecutive-failures policy.
 *
 * With shared counts (a store's `shareCounts`, time-based windows only) the rate checks judge
 * the fleet's totals when the store knows them, and the local window otherwise; the local window
 * keeps counting either way, so falling back costs nothing. Consecutive failures, calls hung in
 * flight and count-based windows (`windowCalls`) always stay local.
 */
import { InFlightList, type InFlightNode } from './in-flight.js';
import type { SharedCounts } from './circuit-sync.js';
import type { ResolvedCircuitPolicy } from './policy.js';
import type { TripReason } from './types.js';
import { CountWindow } from './windows/count-window.js';
import type { RateWindow, WindowTotals } from './windows/rate-window.js';
import { TimeWindow } from './windows/time-window.js';

const EMPTY: WindowTotals = Object.freeze({ calls: 0, failures: 0, slow: 0 });

export class TripDetector {
  /** Failures in a row since the last success. */
  consecutiveFailures = 0;
  /** Whether recording a call needs the clock's time (a time-based window). */
  readonly needsTimeOnRecord: boolean;
  private readonly window: RateWindow | undefined;
  private readonly inFlight: InFlightList | undefined;
  private readonly minimumCalls: number;
  private shared: SharedCounts | undefined;
  /** The length of the time-based window, ms; undefined without one (shared counts need it). */
  readonly timeWindowMs: number | undefined;

  constructor(private readonly policy: ResolvedCircuitPolicy) {
    const rate = policy.trip.kind === 'rate' ? policy.trip : undefined;
    if (rate?.windowCalls) this.window = new CountWindow(rate.windowCalls);
    else if (rate || policy.slowCallRate !== undefined)
      this.window = new TimeWindow(rate?.windowMs ?? 10_000);
    this.inFlight = policy.slowCallRate !== undefined ? new InFlightList() : undefined;
    this.needsTimeOnRecord = this.window instanceof TimeWindow;
    this.timeWindowMs = this.needsTimeOnRecord ? (rate?.windowMs ?? 10_000) : undefined;
    this.minimumCalls = rate?.minimumCalls ?? 10;
  }

  /** Judges the rate checks on fleet-wide counts (time-based windows only); undefined: local. */
  share(counts: SharedCounts | undefined): void {
    this.shared = this.timeWindowMs === undefined ? undefined : counts;
  }

  /** Returns why the circuit should open now, if it should (after fresh fleet totals). */
  check(now: number): TripReason | undefined {
    return this.evaluate(now);
  }

  /** Starts tracking a call of the closed circuit (only a slow-call-rate policy keeps them). */
  track(call: InFlightNode): void {
    this.inFlight?.push(call);
  }

  /** Stops tracking a call that finished. */
  untrack(call: InFlightNode): void {
    this.inFlight?.remove(call);
  }

  /**
   * Counts the calls now in flight past `slowCallMs` as slow; returns why the circuit should
   * open, if it should. O(1) amortised; a no-op without a slow-call-rate policy.
   */
  checkHung(now: number): TripReason | undefined {
    if (!this.inFlight || this.inFlight.markSlow(now, this.policy.slowCallMs!) === 0)
      return undefined;
    return this.evaluate(now);
  }

  /** Counts a finished call (not ignored); returns why the circuit should open, if it should. */
  record(failure: boolean, slow: boolean, now: number): TripReason | undefined {
    this.consecutiveFailures = failure ? this.consecutiveFailures + 1 : 0;
    this.window?.add(failure, slow, now);
    this.shared?.record(failure, slow);
    return this.evaluate(now);
  }

  /** The window's totals at `now` (zeros when the policy keeps no window). */
  totals(now: number): WindowTotals {
    return this.window?.totals(now) ?? EMPTY;
  }

  /** Forgets everything (on every state change). */
  reset(): void {
    this.consecutiveFailures = 0;
    this.window?.reset();
    this.shared?.reset();
    this.inFlight?.clear();
  }

  private evaluate(now: number): TripReason | undefined {
    const p = this.policy;
    if (p.trip.kind === 'consecutive' && this.consecutiveFailures >= p.trip.consecutiveFailures) {
      return 'consecutive-failures';
    }
    if (!this.window) return undefined;
    const t = this.shared?.totals() ?? this.window.totals(now);
    if (
      p.trip.kind === 'rate' &&
      t.calls >= this.minimumCalls &&
      t.failures / t.calls >= p.trip.failureRate
    ) {
      return 'failure-rate';
    }
    if (p.slowCallRate !== undefined) {
      const hung = this.inFlight?.slowCount ?? 0;
      const calls = t.calls + hung;
      if (calls >= this.minimumCalls && (t.slow + hung) / calls >= p.slowCallRate)
        return 'slow-call-rate';
    }
    return undefined;
  }
}
