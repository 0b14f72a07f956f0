/**
 * The circuit breaker: a state machine over closed → open → half-open → closed, plus the manual
 * states forced-open and disabled.
 *
 * There is no timer: an open circuit becomes half-open when somebody asks (a call, `state`,
 * `snapshot()`) after its open period has passed. Every transition increments `generation`; a
 * permit remembers the generation it was issued in, and its outcome is dropped if the circuit
 * has moved on since (the gobreaker rule), so a slow call from before an opening cannot close it.
 *
 * Trip decisions: consecutive failures, or failure rate over a count or time window with a
 * minimum number of calls; optionally a slow-call rate over the same window, in which calls
 * still in flight past `slowCallMs` already count as slow (see in-flight.ts).
 */
import { systemClock, type Clock } from './clock.js';
import type { CircuitObserver, CircuitSync, SharedCircuitState } from './circuit-sync.js';
import { CircuitOpenError, describeRejection } from './errors.js';
import { openDurationMs } from './open-duration.js';
import { CallPermit, type PermitOwner } from './permit.js';
import { ensureResolved, type CircuitPolicy, type ResolvedCircuitPolicy } from './policy.js';
import { executeGuarded } from './execute.js';
import type { ExecuteContext, ExecuteOptions } from './execute-abortable.js';
import { buildSnapshot, newCounts, type Counts } from './snapshot.js';
import { readBreakerOptions } from './breaker-options.js';
import { HalfOpenGate } from './half-open-gate.js';
import type {
  CircuitSnapshot,
  CircuitState,
  Outcome,
  Permit,
  RejectReason,
  StateChangeReason,
  TripReason,
} from './types.js';
import { TripDetector } from './trip-detector.js';

/** Where a circuit gets its time, whom it tells, and with whom it shares its state. */
export interface CircuitBreakerOptions {
  /** Time source; default `systemClock` (performance.now). */
  clock?: Clock;
  /** Receives transitions, outcomes and rejections (the registry's listeners). */
  observer?: Partial<CircuitObserver>;
}

export class CircuitBreaker implements PermitOwner {
  /** The circuit's name (a gRPC method path, a Thrift `service/method`, or your own). */
  readonly name: string;
  /** The validated policy in force; frozen. */
  readonly policy: ResolvedCircuitPolicy;
  /** @internal */ readonly counts: Counts = newCounts();
  /** Sequence number of the last `tryAcquire` (process-wide); the registry evicts the lowest. */
  lastUsed = ++useSequence;

  private readonly clock: Clock;
  private readonly observer: Partial<CircuitObserver> | undefined;
  private sync: CircuitSync | undefined;
  private current: CircuitState = 'closed';
  private gen = 0;
  private openUntil: number | null = null;
  private opens = 0;
  private lastTrip: TripReason | null = null;
  private running = 0;
  private rejectReason: RejectReason = 'open';
  private rejectAfterMs = 0;
  private readonly trip: TripDetector;
  /** Whether every call needs its start time (slow calls are judged). */
  private readonly timed: boolean;
  /** Created the first time the circuit becomes half-open; most circuits never do. */
  private gate: HalfOpenGate | undefined;

  /**
   * @param name circuit name
   * @param policy circuit policy (validated here unless it came from `resolveCircuitPolicy`)
   * @throws ConfigError when the name, the policy or an option is invalid
   */
  constructor(
    name: string,
    policy?: CircuitPolicy | ResolvedCircuitPolicy,
    options: CircuitBreakerOptions = {},
  ) {
    const { clock, observer } = readBreakerOptions(name, options);
    this.name = name;
    this.policy = ensureResolved(policy);
    this.clock = clock ?? systemClock;
    this.observer = observer;
    const p = this.policy;
    // Reading a clock costs ~40 ns here, more than the rest of a call's bookkeeping: the default
    // policy (consecutive failures, no slow calls, no duration listener) never reads it.
    this.timed = p.slowCallMs !== undefined;
    this.trip = new TripDetector(p);
  }

  /** The current state; an open circuit whose open period has passed reads as half-open. */
  get state(): CircuitState {
    this.advance(this.clock.now());
    return this.current;
  }

  /** Increases on every transition. */
  get generation(): number {
    return this.gen;
  }

  /** Calls holding a permit right now. */
  get inFlight(): number {
    return this.running;
  }

  /** Whether a call of `durationMs` counts as slow under this policy. */
  isSlow(durationMs: number): boolean {
    return this.policy.slowCallMs !== undefined && durationMs >= this.policy.slowCallMs;
  }

  /**
   * Asks to make one call. Returns a permit to report the outcome on, or `undefined` when the
   * call must not run (open, forced open, half-open probes in use, bulkhead full); then
   * `rejectionError()` describes why.
   */
  tryAcquire(): Permit | undefined {
    this.lastUsed = ++useSequence;
    let state = this.current;
    const now =
      this.timed || state !== 'closed' || this.observer?.timing?.() ? this.clock.now() : NaN;
    if (state === 'open' || state === 'half-open') {
      this.advance(now);
      state = this.current;
    }
    if (state === 'disabled') return this.grant(now, false);
    if (state === 'open') return this.reject('open', (this.openUntil ?? now) - now);
    if (state === 'forced-open') return this.reject('forced-open', Infinity);
    const max = this.policy.maxConcurrent;
    if (max !== undefined && this.running >= max) return this.reject('bulkhead', 0);
    if (state === 'half-open') {
      if (!this.gate?.tryTakeSlot(now)) return this.reject('half-open-full', 0);
      return this.grant(now, true);
    }
    const hung = this.trip.checkHung(now);
    if (hung) {
      this.transition('open', hung, now);
      return this.reject('open', (this.openUntil ?? now) - now);
    }
    return this.grant(now, false);
  }

  /** Why `tryAcquire` last refused a call, without building an error (no stack capture). */
  lastRejection(): { reason: RejectReason; retryAfterMs: number; message: string } {
    return {
      reason: this.rejectReason,
      retryAfterMs: this.rejectAfterMs,
      message: describeRejection(this.name, this.rejectAfterMs, this.rejectReason),
    };
  }

  /** A `CircuitOpenError` describing the last rejection by `tryAcquire`. */
  rejectionError(): CircuitOpenError {
    return new CircuitOpenError(this.name, this.rejectAfterMs, this.rejectReason);
  }

  /**
   * Runs `fn` under the circuit. Rejects with `CircuitOpenError` without calling `fn` when the
   * circuit does not let the call through.
   * @param options a classifier, or `{ signal?, timeoutMs?, classify? }`:
   *   - `classify` judges a thrown error or a returned value; default: a throw is a failure and a
   *     value a success. If `classify` itself throws, the call counts as a failure.
   *   - `signal`: the caller's AbortSignal. Already aborted: `fn` is not called. Aborted while
   *     `fn` runs: `fn`'s own signal aborts, the promise rejects at once with the signal's reason,
   *     and the call counts as nothing (`ignore`).
   *   - `timeoutMs`: past it `fn`'s signal aborts and the promise rejects with a `TimeoutError`
   *     DOMException; the call counts as a failure. Finite, > 0, at most 2^31 - 1.
   *   `fn` receives `{ signal }`, a fresh AbortSignal per call when `signal` or `timeoutMs` is
   *   given (otherwise a shared one that never aborts).
   */
  execute<T>(
    fn: (ctx: ExecuteContext) => Promise<T>,
    options?: ((errorOrResult: unknown) => Outcome) | ExecuteOptions,
  ): Promise<T> {
    return executeGuarded(this, fn, options);
  }

  /**
   * @internal Starts a call on the execute fast path — closed, nothing timed, no bulkhead, no
   * duration listener — and returns its generation; -1 when the call must take the permit path.
   */
  enterFast(): number {
    if (
      this.current !== 'closed' ||
      this.timed ||
      this.policy.maxConcurrent !== undefined ||
      this.observer?.timing?.()
    ) {
      return -1;
    }
    this.lastUsed = ++useSequence;
    this.running++;
    return this.gen;
  }

  /** @internal Settles a call of the execute fast path. */
  settleFast(generation: number, outcome: Outcome): void {
    this.running--;
    this.count(outcome, false);
    this.observer?.call?.(this.name, outcome, 0, false);
    if (generation === this.gen && this.current === 'closed') {
      this.afterClosedCall(outcome, false, this.trip.needsTimeOnRecord ? this.clock.now() : NaN);
    }
  }

  /** Opens the circuit until `reset()`; every call is rejected. */
  forceOpen(): void {
    this.transition('forced-open', 'forced', this.clock.now());
  }

  /** Lets every call through and counts nothing until `reset()`. */
  disable(): void {
    this.transition('disabled', undefined, this.clock.now());
  }

  /** Closes the circuit and forgets its failure history and backoff. */
  reset(): void {
    this.transition('closed', undefined, this.clock.now());
  }

  /** The circuit as plain JSON. */
  snapshot(): CircuitSnapshot {
    const now = this.clock.now();
    this.advance(now);
    const totals = this.trip.totals(now);
    return buildSnapshot({
      name: this.name,
      state: this.current,
      generation: this.gen,
      openUntil: this.openUntil,
      now,
      consecutiveOpens: this.opens,
      inFlight: this.running,
      counts: this.counts,
      totals,
      consecutiveFailures: this.trip.consecutiveFailures,
      lastTripReason: this.lastTrip,
    });
  }

  /** @internal Connects the circuit to a shared store (done by the registry). */
  attachSync(sync: CircuitSync | undefined): void {
    this.sync = sync;
    const windowMs = this.trip.timeWindowMs;
    this.trip.share(
      windowMs !== undefined && sync?.shareCounts
        ? sync.shareCounts(windowMs, () => this.recheck())
        : undefined,
    );
  }

  /** Re-judges a closed circuit on fresh fleet totals (shared counts); may open it. */
  private recheck(): void {
    if (this.current !== 'closed') return;
    const now = this.clock.now();
    const reason = this.trip.check(now);
    if (reason) this.transition('open', reason, now);
  }

  /** @internal The part of the state a fleet shares. */
  sharedState(): SharedCircuitState {
    return {
      state: this.current,
      generation: this.gen,
      openUntil: this.openUntil,
      consecutiveOpens: this.opens,
    };
  }

  /**
   * @internal Adopts a state decided by another process (through a store). Applied when it is
   * newer than ours, or of the same generation but different (the store's version wins).
   */
  adopt(remote: SharedCircuitState): void {
    if (remote.generation < this.gen) return;
    const same =
      remote.generation === this.gen &&
      remote.state === this.current &&
      remote.openUntil === this.openUntil;
    if (same) return;
    const from = this.current;
    this.gen = remote.generation;
    this.openUntil = remote.state === 'open' ? remote.openUntil : null;
    this.opens = remote.consecutiveOpens;
    this.enter(remote.state, from, 'remote', this.clock.now(), false);
  }

  /**
   * @internal Starts the circuit in a state read back from a snapshot (`registry.restore`).
   * Local only: nothing is published, so a store's own stored state (any generation from 1 up)
   * still wins when it arrives. An open circuit with no open time left becomes half-open.
   */
  restore(r: RestoredState): void {
    const now = this.clock.now();
    const from = this.current;
    const to = r.state === 'open' && !(r.openMs > 0) ? 'half-open' : r.state;
    this.gen++;
    this.opens = r.consecutiveOpens;
    this.openUntil = to === 'open' ? now + r.openMs : null;
    this.enter(to, from, 'restored', now, false);
    Object.assign(this.counts, r.counts);
    this.lastTrip = r.lastTripReason;
  }

  /** @internal Called by a permit when its outcome is recorded. */
  settle(
    permit: CallPermit,
    outcome: Outcome,
    durationMs: number | undefined,
    errorType?: string,
  ): void {
    const timed = permit.startedAt === permit.startedAt; // NaN when the acquire read no clock
    const now = timed || this.trip.needsTimeOnRecord ? this.clock.now() : NaN;
    const duration = durationMs ?? (timed ? now - permit.startedAt : 0);
    const slow = this.isSlow(duration);
    this.running--;
    if (permit.generation === this.gen) this.trip.untrack(permit);
    this.count(outcome, slow);
    this.observer?.call?.(this.name, outcome, duration, slow, errorType);
    if (permit.generation !== this.gen || this.current === 'disabled') return;
    if (this.current === 'half-open') {
      // Where slowness opens the circuit (a slow-call rate), a slow probe has not shown recovery:
      // it counts as a failed probe, as Resilience4j counts slow calls while half-open.
      const slowProbe = outcome === 'success' && slow && this.policy.slowCallRate !== undefined;
      if (permit.probe) this.gate?.settleProbe(slowProbe ? 'failure' : outcome);
      return;
    }
    if (this.current === 'closed') this.afterClosedCall(outcome, slow, now);
  }

  /** Counts a finished call of the current generation in a closed circuit; may open it. */
  private afterClosedCall(outcome: Outcome, slow: boolean, now: number): void {
    if (outcome === 'ignore') return;
    const reason = this.trip.record(outcome === 'failure', slow, now);
    if (reason) this.transition('open', reason, now);
  }

  private count(outcome: Outcome, slow: boolean): void {
    const c = this.counts;
    if (outcome === 'success') c.successes++;
    else if (outcome === 'failure') c.failures++;
    else c.ignored++;
    if (slow) c.slow++;
  }

  private grant(now: number, probe: boolean): CallPermit {
    const permit = new CallPermit(this, now, this.gen, probe);
    this.running++;
    if (!probe && this.current === 'closed') this.trip.track(permit);
    return permit;
  }

  private reject(reason: RejectReason, retryAfterMs: number): undefined {
    this.rejectReason = reason;
    this.rejectAfterMs = Math.max(0, retryAfterMs);
    this.counts.rejected++;
    this.observer?.reject?.(this.name, reason, this.rejectAfterMs);
    return undefined;
  }

  /**
   * Moves an open circuit whose open period has passed to half-open, and re-opens a half-open
   * one whose health check has outlived its deadline.
   */
  private advance(now: number): void {
    if (this.current === 'open' && this.openUntil !== null && now >= this.openUntil) {
      this.transition('half-open', undefined, now);
    } else if (this.current === 'half-open') {
      this.gate?.expireOverdue(now);
    }
  }

  /** @internal Called by the half-open gate when a health check rejects. */
  onProbeError(error: unknown): void {
    this.observer?.probeError?.(this.name, error);
  }

  /** @internal Called by the half-open gate when probes have decided. */
  onProbeResult(ok: boolean): void {
    const now = this.clock.now();
    if (ok) this.transition('closed', undefined, now);
    else
      this.transition(
        'open',
        this.policy.halfOpenProbe ? 'probe-failure' : 'half-open-failure',
        now,
      );
  }

  /** A local transition: a new generation, published to the store. */
  private transition(to: CircuitState, reason: TripReason | undefined, at: number): void {
    const now = Number.isNaN(at) ? this.clock.now() : at;
    const from = this.current;
    this.gen++;
    if (to === 'open') {
      this.opens++;
      this.openUntil = now + openDurationMs(this.policy.openMs, this.opens);
    } else {
      this.openUntil = null;
      if (to === 'closed') this.opens = 0;
    }
    this.enter(to, from, reason, now, true);
  }

  private enter(
    to: CircuitState,
    from: CircuitState,
    reason: StateChangeReason | undefined,
    now: number,
    publish: boolean,
  ): void {
    this.current = to;
    if ((to === 'open' || to === 'forced-open') && reason !== 'restored')
      this.lastTrip = reason ?? this.lastTrip;
    this.trip.reset();
    this.counts.transitions++;
    if (publish) this.sync?.publish(this.sharedState());
    if (to === 'half-open') {
      this.gate ??= new HalfOpenGate(this.policy, this, this.name, this.clock);
      this.gate.open(now, this.sync);
    } else this.gate?.close();
    if (from !== to) this.observer?.stateChange?.(this.name, from, to, reason);
  }
}

/** What `CircuitBreaker.restore` starts a circuit as. */
export interface RestoredState {
  readonly state: CircuitState;
  /** Open time left from now (capped by the caller); used only when `state` is `open`. */
  readonly openMs: number;
  readonly consecutiveOpens: number;
  readonly counts: Readonly<Counts>;
  readonly lastTripReason: TripReason | null;
}

let useSequence = 0;
