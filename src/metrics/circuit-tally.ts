/**
 * Per-circuit figures that snapshots do not hold, kept from registry events: rejections by reason,
 * fallbacks by kind and, when asked, call durations in histogram buckets.
 *
 * Snapshots count rejections and fallbacks only as totals, so the split by reason and kind has to
 * be counted as events happen. Each event costs one map lookup and one array increment; a call
 * duration adds a linear scan over a dozen bucket bounds (cheaper than a binary search at this
 * size). No label hashing or allocation happens per event: exporters read the arrays at scrape
 * time. An evicted circuit's figures are dropped with it, so memory stays bounded by the
 * registry's own `maxCircuits`. Counting starts when the tally is created: rejections and
 * fallbacks from before are not split (the snapshot totals still include them).
 */
import type { Disposable, Outcome, RejectReason } from '../core/types.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';

/** Rejection reasons in the order of `CircuitTally.rejections`. */
export const REJECT_REASONS: readonly RejectReason[] = Object.freeze([
  'open',
  'forced-open',
  'half-open-full',
  'bulkhead',
]);

/** Operator actions in the order of `CircuitTally.controls`. */
export const CONTROL_ACTIONS: readonly ('force-open' | 'disable' | 'reset')[] = Object.freeze([
  'force-open',
  'disable',
  'reset',
]);

/** Fallback kinds in the order of `CircuitTally.fallbacks`. */
export const FALLBACK_KINDS: readonly ('cache' | 'value')[] = Object.freeze(['cache', 'value']);

/** Call outcomes in the order of `CircuitTally.durations`. */
export const OUTCOMES: readonly Outcome[] = Object.freeze(['success', 'failure', 'ignore']);

/**
 * Default call-duration bucket bounds in seconds (1 ms to 10 s): from a local cache hit to a
 * call that ran into a typical deadline.
 */
export const DEFAULT_DURATION_BUCKETS_S: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** Call durations of one circuit and outcome: per-bucket counts (not cumulative), sum, count. */
export interface DurationSeries {
  /** `buckets[i]` counts calls ≤ bound i and > bound i-1; the last slot counts calls > every bound. */
  readonly buckets: Float64Array;
  /** Sum of durations, seconds. */
  sumS: number;
  count: number;
}

/** What the tally holds for one circuit. */
export interface CircuitFigures {
  /** Indexed like `REJECT_REASONS`. */
  readonly rejections: Float64Array;
  /** Indexed like `FALLBACK_KINDS`. */
  readonly fallbacks: Float64Array;
  /** Indexed like `CONTROL_ACTIONS`. */
  readonly controls: Float64Array;
  /** Indexed like `OUTCOMES`; a slot stays undefined until a call with that outcome finishes. */
  readonly durations: (DurationSeries | undefined)[];
}

const REASON_INDEX: Record<string, number> = {
  open: 0,
  'forced-open': 1,
  'half-open-full': 2,
  bulkhead: 3,
};
const OUTCOME_INDEX: Record<string, number> = { success: 0, failure: 1, ignore: 2 };

/** Counts registry events per circuit until disposed. */
export class CircuitTally implements Disposable {
  private readonly figures = new Map<string, CircuitFigures>();
  private readonly subscriptions: Disposable[];
  /** Bucket bounds in seconds, ascending; `null` when durations are not recorded. */
  readonly boundsS: readonly number[] | null;

  /**
   * @param registry whose events to count
   * @param options.durations record call durations (subscribes to `onCall`, which makes every
   *   call read the clock); `boundsS` are the bucket bounds in seconds, ascending
   */
  constructor(
    registry: CircuitRegistry,
    options: { durations?: { boundsS: readonly number[] } } = {},
  ) {
    this.boundsS = options.durations?.boundsS ?? null;
    this.subscriptions = [
      registry.onReject((e) => {
        const i = REASON_INDEX[e.reason];
        if (i !== undefined) this.of(e.name).rejections[i]!++;
      }),
      registry.onFallback((e) => {
        // Like the snapshot's total, a fallback of a circuit the registry no longer (or does not
        // yet) hold is not counted: an entry made for it would never be evicted.
        if (registry.find(e.name)) this.of(e.name).fallbacks[e.kind === 'cache' ? 0 : 1]!++;
      }),
      registry.onControl((e) => {
        const i = CONTROL_ACTIONS.indexOf(e.action);
        if (i >= 0 && registry.find(e.name)) this.of(e.name).controls[i]!++;
      }),
      registry.onEvict((e) => {
        this.figures.delete(e.name);
      }),
    ];
    const bounds = this.boundsS;
    if (bounds) {
      this.subscriptions.push(
        registry.onCall((e) => this.recordDuration(e.name, e.outcome, e.durationMs / 1000, bounds)),
      );
    }
  }

  /** The figures of circuit `name`, or undefined when no event of it was seen. */
  get(name: string): CircuitFigures | undefined {
    return this.figures.get(name);
  }

  /** Stops counting and forgets everything. */
  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    this.figures.clear();
  }

  private recordDuration(
    name: string,
    outcome: Outcome,
    seconds: number,
    bounds: readonly number[],
  ) {
    // A clock that jumped or a caller-supplied negative duration must not poison the sum.
    const s = seconds > 0 && Number.isFinite(seconds) ? seconds : 0;
    const slot = OUTCOME_INDEX[outcome] ?? 2;
    const f = this.of(name);
    let series = f.durations[slot];
    if (!series) {
      series = { buckets: new Float64Array(bounds.length + 1), sumS: 0, count: 0 };
      f.durations[slot] = series;
    }
    let i = 0;
    while (i < bounds.length && s > bounds[i]!) i++;
    series.buckets[i]!++;
    series.sumS += s;
    series.count++;
  }

  private of(name: string): CircuitFigures {
    let f = this.figures.get(name);
    if (!f) {
      f = {
        rejections: new Float64Array(REJECT_REASONS.length),
        fallbacks: new Float64Array(FALLBACK_KINDS.length),
        controls: new Float64Array(CONTROL_ACTIONS.length),
        durations: [undefined, undefined, undefined],
      };
      this.figures.set(name, f);
    }
    return f;
  }
}
