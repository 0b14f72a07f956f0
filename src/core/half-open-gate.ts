/**
 * The half-open gate: how many probe calls a half-open circuit lets through, and when it has
 * seen enough to close.
 *
 * Without a shared store the gate holds `halfOpenProbes` slots. With one, slots are leased
 * fleet-wide per generation: until the lease answers the gate holds none (calls are rejected,
 * never kept waiting), and a lease that yielded nothing is asked again after its TTL, in case
 * the process that held it died mid-probe. With a `halfOpenProbe` health check, user calls never
 * probe: the gate runs the check itself, one at a time, until it has `halfOpenSuccesses`
 * successes (close) or a failure (re-open).
 *
 * A check that has not settled `halfOpenProbeTimeoutMs` after it started is a failure: without a
 * deadline, a check that never settles would keep the circuit half-open, rejecting every call,
 * for ever. There is no timer: the circuit asks `expireOverdue` whenever it is read (a call, its
 * state, a snapshot), which is when a verdict can matter; nobody waits on the check itself. Its
 * late result is dropped (the circuit has moved to a new generation).
 */
import type { Clock } from './clock.js';
import type { CircuitSync } from './circuit-sync.js';
import type { ResolvedCircuitPolicy } from './policy.js';
import type { Outcome } from './types.js';

const MIN_LEASE_MS = 10_000;

/** The circuit a gate belongs to. */
export interface GateOwner {
  readonly generation: number;
  onProbeResult(ok: boolean): void;
  /** A health check rejected with `error` (it is then a failed probe). */
  onProbeError?(error: unknown): void;
}

export class HalfOpenGate {
  private active = false;
  private slots = 0;
  private inUse = 0;
  private successes = 0;
  private leasePending = false;
  private leaseAt = 0;
  private checking = false;
  /** When the running check started (Clock ms). */
  private checkStartedAt = 0;
  private sync: CircuitSync | undefined;

  constructor(
    private readonly policy: ResolvedCircuitPolicy,
    private readonly owner: GateOwner,
    private readonly circuit: string,
    private readonly clock: Clock,
  ) {}

  /**
   * How long a fleet-wide probe lease lasts: the longest open time, at least 10 s. The lease of
   * a generation only matters while it is half-open; its TTL bounds how long a process that died
   * mid-probe can keep the rest of the fleet from probing.
   */
  private get leaseMs(): number {
    return Math.max(this.policy.openMs.maxMs, MIN_LEASE_MS);
  }

  private generation(): number {
    return this.owner.generation;
  }

  private decide(ok: boolean): void {
    this.owner.onProbeResult(ok);
  }

  /** The circuit has just become half-open. */
  open(now: number, sync: CircuitSync | undefined): void {
    this.active = true;
    this.inUse = this.successes = 0;
    this.sync = sync;
    this.leasePending = false;
    if (sync) {
      this.slots = 0;
      // A health check probes at once. User-call probes lease their slots on the first real
      // call: merely reading the circuit (state, snapshot, a metrics scrape) must not take the
      // fleet's probe slots away from the processes that have traffic.
      if (this.policy.halfOpenProbe) this.requestLease(now);
      else this.leaseAt = -Infinity;
    } else {
      this.slots = this.policy.halfOpenProbes;
      this.startCheck();
    }
  }

  /** The circuit has left half-open. */
  close(): void {
    this.active = false;
    this.slots = this.inUse = this.successes = 0;
    this.leasePending = this.checking = false;
  }

  /** Takes a probe slot for a user call; false when none is free or a health check probes. */
  tryTakeSlot(now: number): boolean {
    if (this.sync && !this.leasePending && this.slots === 0 && now - this.leaseAt >= this.leaseMs) {
      this.requestLease(now);
    }
    if (this.policy.halfOpenProbe) {
      this.startCheck();
      return false;
    }
    if (this.inUse >= this.slots) return false;
    this.inUse++;
    return true;
  }

  /**
   * Fails the running health check when it has outlived `halfOpenProbeTimeoutMs` by `now` (the
   * circuit then re-opens). Called whenever the half-open circuit is read.
   */
  expireOverdue(now: number): void {
    if (!this.checking || !this.active) return;
    if (now - this.checkStartedAt < this.policy.halfOpenProbeTimeoutMs) return;
    this.checking = false;
    this.settleProbe('failure');
  }

  /** A probe (user call or health check) has finished. */
  settleProbe(outcome: Outcome): void {
    this.inUse = Math.max(0, this.inUse - 1);
    if (outcome === 'ignore') return;
    if (outcome === 'failure') return this.decide(false);
    if (++this.successes >= this.policy.halfOpenSuccesses) this.decide(true);
  }

  private requestLease(now: number): void {
    const gen = this.generation();
    this.leasePending = true;
    this.leaseAt = now;
    this.sync!.leaseProbes(gen, this.policy.halfOpenProbes, this.leaseMs, (granted) => {
      if (!this.active || gen !== this.generation()) return;
      this.leasePending = false;
      this.slots = Math.max(0, Math.min(granted, this.policy.halfOpenProbes));
      this.startCheck();
    });
  }

  /** Runs the health check when one is configured, a slot is held and none is running. */
  private startCheck(): void {
    const check = this.policy.halfOpenProbe;
    if (!check || this.checking || !this.active || this.inUse >= this.slots) return;
    const gen = this.generation();
    this.checking = true;
    this.checkStartedAt = this.clock.now();
    this.inUse++;
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(check({ circuit: this.circuit }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    const finish = (outcome: Outcome) => {
      if (!this.active || gen !== this.generation()) return;
      this.checking = false;
      this.settleProbe(outcome);
      if (this.active && gen === this.generation()) this.startCheck();
    };
    pending.then(
      () => finish('success'),
      (error: unknown) => {
        if (this.active && gen === this.generation()) this.owner.onProbeError?.(error);
        finish('failure');
      },
    );
  }
}
