/** Shared vocabulary of the circuit engine: states, outcomes, permits, disposables. */

/**
 * Where a circuit is:
 * - `closed`: calls flow and their outcomes are counted;
 * - `open`: calls are rejected until the open period ends;
 * - `half-open`: a limited number of probe calls decide whether to close or re-open;
 * - `forced-open`: rejected until an operator calls `reset()`;
 * - `disabled`: every call flows and nothing is counted.
 */
export type CircuitState = 'closed' | 'open' | 'half-open' | 'forced-open' | 'disabled';

/** How a finished call counts: `ignore` counts as neither success nor failure. */
export type Outcome = 'success' | 'failure' | 'ignore';

/** Why a call was not let through. */
export type RejectReason = 'open' | 'forced-open' | 'half-open-full' | 'bulkhead';

/**
 * Something that can be stopped (internal). The public API returns `DisposableHandle`
 * (core/disposable.ts), which is also a global `Disposable` for `using`; this name is not exported
 * from the package, so it never shadows TypeScript's global `Disposable` in a user's code.
 * @deprecated use `DisposableHandle`
 */
export interface Disposable {
  dispose(): void;
}

/**
 * Permission for one call, from `CircuitBreaker.tryAcquire()`. Report the call's outcome exactly
 * once; a second report is ignored. A permit acquired before the circuit changed state is dropped:
 * its outcome no longer moves the circuit (it still frees its bulkhead slot).
 */
export interface Permit {
  /**
   * @param outcome how the call ended
   * @param durationMs how long it took; default: measured by the circuit's clock since acquisition
   * @param errorType what the call ended with when it was an error (adapters pass the gRPC status
   *   name or the Thrift failure category); passed on to `onCall` listeners as `errorType`
   */
  record(outcome: Outcome, durationMs?: number, errorType?: string): void;
}

/** What a circuit looks like at one moment: plain JSON, safe to serialize and to show. */
export interface CircuitSnapshot {
  name: string;
  state: CircuitState;
  /** Increases on every state change; permits from an older generation are dropped. */
  generation: number;
  /** Clock time (ms) when an open circuit will let a probe through; null unless `open`. */
  openUntil: number | null;
  /** Milliseconds until an open circuit lets a probe through; 0 unless `open`. */
  retryAfterMs: number;
  /** How many times in a row the circuit has opened without closing (drives backoff). */
  consecutiveOpens: number;
  /** Calls currently holding a permit. */
  inFlight: number;
  /** Totals since the circuit was created. */
  counts: {
    successes: number;
    failures: number;
    ignored: number;
    slow: number;
    rejected: number;
    fallbacks: number;
    transitions: number;
  };
  /** The trip window as it stands now (the current decision input). */
  window: {
    calls: number;
    failures: number;
    slow: number;
    failureRate: number;
    slowRate: number;
    consecutiveFailures: number;
  };
  /** Why the circuit last opened, if it did. */
  lastTripReason: TripReason | null;
  /**
   * Wall-clock time (ms since the epoch) when `registry.snapshot()` took it; `restore` ages open
   * periods by it. Absent from a single circuit's `snapshot()`.
   */
  takenAt?: number;
}

/** Why a circuit changed state: what opened it, or `restored` (set by `registry.restore`). */
export type StateChangeReason = TripReason | 'restored';

/** What opened a circuit. */
export type TripReason =
  | 'consecutive-failures'
  | 'failure-rate'
  | 'slow-call-rate'
  | 'half-open-failure'
  | 'forced'
  | 'remote'
  | 'probe-failure';
