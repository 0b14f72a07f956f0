/**
 * The recent history behind the status page's sparklines, kept without a timer.
 *
 * Two sources, both on the registry's clock:
 * - state changes, recorded by a listener as they happen (whether or not anyone is looking), so
 *   the sparkline's state strip is exact: a circuit that opened and closed again between two
 *   page views still shows its red stretch. Each circuit keeps its last `MAX_CHANGES` changes;
 *   changes older than the history span are dropped when the next one comes in.
 * - the window failure rate, sampled when the page or its JSON is requested, at most once per
 *   `SAMPLE_INTERVAL_MS` (several open tabs do not speed it up), into a ring of `spanMs /
 *   SAMPLE_INTERVAL_MS` points per circuit.
 * Evicted circuits are forgotten, so memory is bounded by the registry's own bound.
 */
import type { Clock } from '../core/clock.js';
import type { CircuitSnapshot, CircuitState, Disposable } from '../core/types.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';

/** A stretch of time a circuit spent in one state, as clock milliseconds. */
export interface StateSpan {
  state: CircuitState;
  fromMs: number;
  toMs: number;
}

/** A sampled window failure rate (0..1) at clock time `atMs`. */
export interface RatePoint {
  atMs: number;
  failureRate: number;
}

/** One circuit's history over `[startMs, endMs]`. */
export interface CircuitHistory {
  startMs: number;
  endMs: number;
  /** Consecutive, covering `[startMs, endMs]`, oldest first. */
  spans: StateSpan[];
  rates: RatePoint[];
}

/** How alarming a state is; the page lists the most severe first. */
export const STATE_SEVERITY: Readonly<Record<CircuitState, number>> = Object.freeze({
  closed: 0,
  disabled: 1,
  'half-open': 2,
  open: 3,
  'forced-open': 4,
});

/** Least clock time between two failure-rate samples. */
export const SAMPLE_INTERVAL_MS = 1_000;
const MAX_CHANGES = 64;

interface Change {
  atMs: number;
  from: CircuitState;
  to: CircuitState;
}

interface RateRing {
  readonly at: Float64Array;
  readonly rate: Float32Array;
  next: number;
  size: number;
}

/** The state changes and sampled failure rates of a registry's circuits over the last `spanMs`. */
export class StatusHistory implements Disposable {
  private readonly changes = new Map<string, Change[]>();
  private readonly rates = new Map<string, RateRing>();
  private readonly subscriptions: Disposable[];
  private readonly clock: Clock;
  private readonly capacity: number;
  private lastSampleAt = -Infinity;

  /**
   * @param registry whose circuits to follow
   * @param spanMs how far back the history reaches
   */
  constructor(
    registry: CircuitRegistry,
    private readonly spanMs: number,
  ) {
    this.clock = registry.clock;
    this.capacity = Math.max(1, Math.ceil(spanMs / SAMPLE_INTERVAL_MS));
    this.subscriptions = [
      registry.onStateChange((e) => {
        const now = this.clock.now();
        let list = this.changes.get(e.name);
        if (!list) this.changes.set(e.name, (list = []));
        while (list.length && (list.length >= MAX_CHANGES || list[0]!.atMs < now - spanMs))
          list.shift();
        list.push({ atMs: now, from: e.from, to: e.to });
      }),
      registry.onEvict((e) => {
        this.changes.delete(e.name);
        this.rates.delete(e.name);
      }),
    ];
  }

  /** Records every circuit's failure rate, unless the last sample is too recent. */
  sample(snapshots: readonly CircuitSnapshot[]): void {
    const now = this.clock.now();
    if (now - this.lastSampleAt < SAMPLE_INTERVAL_MS) return;
    this.lastSampleAt = now;
    for (const s of snapshots) {
      let ring = this.rates.get(s.name);
      if (!ring) {
        const n = this.capacity;
        ring = { at: new Float64Array(n), rate: new Float32Array(n), next: 0, size: 0 };
        this.rates.set(s.name, ring);
      }
      ring.at[ring.next] = now;
      ring.rate[ring.next] = s.window.failureRate;
      ring.next = (ring.next + 1) % this.capacity;
      ring.size = Math.min(ring.size + 1, this.capacity);
    }
    // Circuits gone without an eviction event (none today) must not pin their rings.
    if (this.rates.size > snapshots.length * 2) {
      const alive = new Set(snapshots.map((s) => s.name));
      for (const name of this.rates.keys()) if (!alive.has(name)) this.rates.delete(name);
    }
  }

  /** The history of `snapshot`'s circuit up to now. */
  of(snapshot: CircuitSnapshot): CircuitHistory {
    const endMs = this.clock.now();
    const startMs = endMs - this.spanMs;
    const changes = (this.changes.get(snapshot.name) ?? []).filter((c) => c.atMs > startMs);
    const spans: StateSpan[] = [];
    let state = changes[0]?.from ?? snapshot.state;
    let from = startMs;
    for (const c of changes) {
      spans.push({ state, fromMs: from, toMs: c.atMs });
      state = c.to;
      from = c.atMs;
    }
    spans.push({ state: snapshot.state, fromMs: from, toMs: endMs });
    const rates: RatePoint[] = [];
    const ring = this.rates.get(snapshot.name);
    if (ring) {
      const first = (ring.next - ring.size + this.capacity) % this.capacity;
      for (let i = 0; i < ring.size; i++) {
        const at = ring.at[(first + i) % this.capacity]!;
        if (at >= startMs)
          rates.push({ atMs: at, failureRate: ring.rate[(first + i) % this.capacity]! });
      }
    }
    return { startMs, endMs, spans, rates };
  }

  /** Stops listening and forgets all history. */
  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.subscriptions.length = 0;
    this.changes.clear();
    this.rates.clear();
  }
}
