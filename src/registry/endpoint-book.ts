/**
 * The endpoints of one channel (gRPC) or one multi-host client (Thrift) and their circuits:
 * which are ejected, and the ejection cap.
 *
 * An endpoint is ejected when its circuit opens (a call's outcome, calls hung in flight, or a
 * state adopted from a shared store), as long as fewer than `cap` endpoints are ejected and not
 * every endpoint is sick; when every endpoint is sick none is ejected (all are used, and the
 * method circuit above decides). Ejection is carried out by the adapter (`setEjected`): gRPC's
 * wrapped subchannels report unhealthy, so the child policy stops picking them; a Thrift host is
 * skipped by the round robin.
 *
 * No timers: an ejected endpoint's circuit becomes half-open only when read, so the picker calls
 * `readmitDue(now)` on each pick, which costs one comparison until the earliest open period has
 * passed; then every ejected circuit is read, and those no longer open are taken back (with
 * real-call probes at half-open; with a health check only once it has closed the circuit).
 */
import type { CircuitBreaker } from '../core/circuit-breaker.js';
import type { CircuitPolicy } from '../core/policy.js';
import type { CircuitState, Disposable, Permit } from '../core/types.js';
import type { CircuitRegistry } from './circuit-registry.js';

/** Where an endpoint's ejection is carried out (gRPC subchannel wrappers, a Thrift host). */
export interface EjectionTarget {
  setEjected(ejected: boolean): void;
  /** gRPC: a channel over this endpoint's connection alone (for a health check). */
  getChannel?(): unknown;
}

/**
 * The endpoint circuit defaults a user's `circuit` is merged over (gRPC endpoints and Thrift
 * hosts; why each value: src/grpc/endpoints/endpoint-options.ts).
 */
export const DEFAULT_ENDPOINT_CIRCUIT: Readonly<CircuitPolicy> = Object.freeze({
  trip: { failureRate: 0.3, windowCalls: 10, minimumCalls: 5 },
  slowCallMs: 1_000,
  slowCallRate: 0.3,
  openMs: { initialMs: 1_000, maxMs: 10_000 },
  // One probe at a time, three in a row to come back: a backend failing half its calls passes
  // one probe half the time, three one time in eight.
  halfOpenSuccesses: 3,
});

/**
 * Most endpoints ejected at once among `n`: `percent` of them rounded down, but at least one
 * when `n >= 2` (unless `percent` is 0) and never all.
 */
export function ejectionCap(n: number, percent: number): number {
  if (n < 2 || percent === 0) return 0;
  return Math.min(n - 1, Math.max(1, Math.floor((n * percent) / 100)));
}

/** One endpoint address of the channel. */
export class EndpointEntry {
  /** Subchannel wrappers for this address (a child policy may hold several). */
  readonly targets = new Set<EjectionTarget>();
  /** Whether the endpoint is ejected now. */
  ejected = false;
  /** Whether its circuit is open or forced open. */
  sick = false;
  /** A half-open probe permit taken at pick time whose call has not started yet. */
  pendingProbe: Permit | undefined = undefined;
  /** When `pendingProbe` was taken (clock ms). */
  pendingSince = 0;

  constructor(
    /** `host:port` (or a Thrift host's URL). */
    readonly address: string,
    /** The endpoint's circuit. */
    public circuit: CircuitBreaker,
  ) {}

  /** Applies the ejection flag to every wrapper. */
  apply(): void {
    for (const t of this.targets) t.setEjected(this.ejected);
  }
}

/** How the book reaches the registry and the user's settings. */
export interface EndpointBookOptions {
  registry: CircuitRegistry;
  /** Builds the circuit policy of an address (a health check is bound to the address). */
  policyFor: (entry: EndpointEntry) => CircuitPolicy;
  /** Circuit name of an address. */
  nameOf: (address: string) => string;
  maxEjectionPercent: number;
  /** Take an endpoint back only when its circuit has closed (a health check probes it). */
  readmitWhenClosed: boolean;
}

const SICK: ReadonlySet<CircuitState> = new Set(['open', 'forced-open']);

export class EndpointBook {
  private readonly entries = new Map<string, EndpointEntry>();
  private readonly byName = new Map<string, EndpointEntry>();
  private ejectedCount = 0;
  private nextCheckAt = Infinity;
  private readonly listener: Disposable;
  private pending = false;

  constructor(private o: EndpointBookOptions) {
    this.listener = o.registry.onStateChange((e) => {
      const entry = this.byName.get(e.name);
      if (entry) this.update(entry, SICK.has(e.to));
    });
  }

  /** Changes the ejection cap (a new service config); takes effect at once. */
  setMaxEjectionPercent(percent: number): void {
    if (percent === this.o.maxEjectionPercent) return;
    this.o = { ...this.o, maxEjectionPercent: percent };
    this.rebalance();
  }

  /** Ejected endpoints now. */
  get ejected(): number {
    return this.ejectedCount;
  }

  /** The entry of `address`, created (with its circuit) on first use. */
  entry(address: string): EndpointEntry {
    let e = this.entries.get(address);
    if (!e) {
      const name = this.o.nameOf(address);
      e = new EndpointEntry(address, undefined as unknown as CircuitBreaker);
      e.circuit = this.o.registry.get(name, this.o.policyFor(e));
      this.entries.set(address, e);
      this.byName.set(name, e);
      this.update(e, SICK.has(e.circuit.state));
    }
    return e;
  }

  /** Keeps only `addresses` (a resolver update); forgotten endpoints are taken back first. */
  retain(addresses: ReadonlySet<string>): void {
    for (const [address, e] of this.entries) {
      if (addresses.has(address)) continue;
      this.setEjected(e, false);
      // Stryker disable next-line BooleanLiteral: a forgotten entry is not read again
      e.sick = false;
      this.entries.delete(address);
      this.byName.delete(e.circuit.name);
    }
    for (const a of addresses) this.entry(a);
    this.rebalance();
  }

  /**
   * Re-reads the circuits of ejected endpoints once the earliest open period has passed, which
   * moves them to half-open (and so takes them back). One comparison when nothing is due.
   */
  readmitDue(now: number): void {
    // Stryker disable next-line ConditionalExpression: reading before anything is due does nothing
    if (now < this.nextCheckAt) return;
    this.nextCheckAt = Infinity;
    // Reading a due circuit's state moves it to half-open, whose state change event updates the
    // entry (the update here repeats it), and scheduleCheck() reads every ejected circuit anyway.
    // Stryker disable next-line ConditionalExpression: see above
    for (const e of this.entries.values()) if (e.ejected) this.update(e, SICK.has(e.circuit.state));
    this.scheduleCheck();
  }

  /** Forgets every endpoint and stops listening to the registry. */
  close(): void {
    this.listener.dispose();
    for (const e of this.entries.values()) this.setEjected(e, false);
    this.entries.clear();
    this.byName.clear();
  }

  private update(e: EndpointEntry, sick: boolean): void {
    e.sick = sick;
    // `e.ejected` first: reading a circuit's state can move it (an overdue health check).
    if (!sick && e.ejected && (!this.o.readmitWhenClosed || e.circuit.state === 'closed')) {
      this.setEjected(e, false);
    }
    this.rebalance();
  }

  /**
   * Ejects sick endpoints up to the cap, and takes back those over it (the list shrank or the
   * cap was lowered: the cap holds at every moment); when every endpoint is sick, takes all back.
   */
  private rebalance(): void {
    const all = [...this.entries.values()];
    const sick = all.filter((e) => e.sick);
    if (
      sick.length === all.length &&
      // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty book ejects none
      all.length > 0
    ) {
      for (const e of all) this.setEjected(e, false);
      return;
    }
    const cap = ejectionCap(all.length, this.o.maxEjectionPercent);
    for (let i = all.length - 1; i >= 0 && this.ejectedCount > cap; i--) {
      if (all[i]!.ejected) this.setEjected(all[i]!, false);
    }
    for (const e of sick) {
      if (this.ejectedCount >= cap) break;
      this.setEjected(e, true);
    }
    this.scheduleCheck();
  }

  private setEjected(e: EndpointEntry, ejected: boolean): void {
    if (e.ejected === ejected) return;
    e.ejected = ejected;
    this.ejectedCount += ejected ? 1 : -1;
    this.applySoon();
  }

  /**
   * Health changes reach the child policy, which hands the channel a new picker. That must not
   * happen inside a pick or a call's completion callback, so it is done in a microtask.
   */
  private applySoon(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      for (const e of this.entries.values()) e.apply();
    });
  }

  private scheduleCheck(): void {
    let next = Infinity;
    for (const e of this.entries.values()) {
      // Stryker disable next-line ConditionalExpression: an earlier check only costs a re-read
      if (!e.ejected) continue;
      // Open: re-read when its open period ends. Forced open, or half-open under a health
      // check: the circuit's own state change (reset, the check closing it) brings it back.
      const s = e.circuit.snapshot();
      // Stryker disable next-line ConditionalExpression,LogicalOperator: as above; min(x, null) = 0
      if (s.state === 'open' && s.openUntil !== null) next = Math.min(next, s.openUntil);
    }
    this.nextCheckAt = next;
  }
}
