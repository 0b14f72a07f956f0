/**
 * The registry: one circuit per name, created on first use with the name's policy merged over
 * the registry's defaults, and the typed events of all of them.
 *
 * It is bounded: past `maxCircuits` the circuits idle the longest that are closed with no call in
 * flight are evicted (a tenth of the bound at once, so eviction costs O(1) amortised per new
 * circuit). An open, half-open, forced-open or disabled circuit is never evicted: forgetting it
 * would let traffic through to a dependency known to be down, or undo an operator's decision.
 */
import { CircuitBreaker } from '../core/circuit-breaker.js';
import type { CircuitObserver, CircuitSync, StateStore } from '../core/circuit-sync.js';
import { systemClock, type Clock } from '../core/clock.js';
import { ConfigError } from '../core/errors.js';
import {
  CIRCUIT_POLICY_KEYS,
  mergeCircuitPolicy,
  resolveCircuitPolicy,
  type CircuitPolicy,
  type ResolvedCircuitPolicy,
} from '../core/policy.js';
import { hasMethods, isPlainObject, readOptions, requireInteger } from '../core/validate.js';
import type { CircuitSnapshot, RejectReason } from '../core/types.js';
import { ASYNC_DISPOSE, type DisposableHandle } from '../core/disposable.js';
import { ListenerSet } from './listener-set.js';
import { PendingRestores, readSnapshots, restoredState } from './restore.js';
import type {
  CallEvent,
  ControlAction,
  ControlEvent,
  EvictEvent,
  FallbackEvent,
  RejectEvent,
  StateChangeEvent,
  WarningEvent,
} from './registry-events.js';
import { ProbeWarnings } from './probe-warnings.js';
import { policyDifferences, warnPolicyConflict } from './policy-conflict.js';

export type {
  CallEvent,
  ControlAction,
  ControlEvent,
  EvictEvent,
  FallbackEvent,
  RejectEvent,
  StateChangeEvent,
  WarningEvent,
} from './registry-events.js';

/** Options of a `CircuitRegistry`. */
export interface CircuitRegistryOptions {
  /** Policy every circuit starts from; a circuit's own policy is merged over it. */
  defaults?: CircuitPolicy;
  /** Time source for every circuit; default `systemClock`. */
  clock?: Clock;
  /** Shares circuit state with other registries/processes; default: none (local only). */
  store?: StateStore;
  /** Most circuits kept; idle closed circuits beyond it are evicted. Default 10_000. */
  maxCircuits?: number;
}

const DEFAULT_MAX_CIRCUITS = 10_000;
const REGISTRY_KEYS: ReadonlySet<string> = new Set(['defaults', 'clock', 'store', 'maxCircuits']);
const NO_POLICY = {};

export class CircuitRegistry {
  /** The time source shared by every circuit of this registry. */
  readonly clock: Clock;
  private readonly defaults: CircuitPolicy | undefined;
  private readonly store: StateStore | undefined;
  private readonly maxCircuits: number;
  private readonly circuits = new Map<string, CircuitBreaker>();
  private readonly syncs = new Map<string, CircuitSync>();
  private readonly stateChanges = new ListenerSet<StateChangeEvent>();
  private readonly calls = new ListenerSet<CallEvent>();
  private readonly rejects = new ListenerSet<RejectEvent>();
  private readonly fallbacks = new ListenerSet<FallbackEvent>();
  private readonly evictions = new ListenerSet<EvictEvent>();
  private readonly controls = new ListenerSet<ControlEvent>();
  private readonly warnings = new ListenerSet<WarningEvent>();
  private readonly probeWarnings: ProbeWarnings;
  private readonly restores: PendingRestores;
  private readonly observer: CircuitObserver;
  private readonly resolved = new WeakMap<object, ResolvedCircuitPolicy>();
  /** The circuit each policy object was last compared with; circuits already warned about. */
  private readonly checked = new WeakMap<object, CircuitBreaker>();
  private readonly warned = new WeakSet<CircuitBreaker>();

  /** @throws ConfigError when an option is invalid */
  constructor(options: CircuitRegistryOptions = {}) {
    // Read once into a copy, which is what is checked and kept.
    const o = readOptions(options, REGISTRY_KEYS, '', 'ignore') as CircuitRegistryOptions;
    const defaults =
      o.defaults === undefined
        ? undefined
        : readOptions(o.defaults, CIRCUIT_POLICY_KEYS, 'defaults');
    resolveCircuitPolicy(defaults, 'defaults');
    this.defaults = defaults ? Object.freeze({ ...defaults }) : undefined;
    if (o.clock !== undefined && !hasMethods(o.clock, 'clock', 'now')) {
      throw new ConfigError('clock', 'must have a now() method', o.clock);
    }
    this.clock = o.clock ?? systemClock;
    if (o.store !== undefined && !hasMethods(o.store, 'store', 'attach', 'close')) {
      throw new ConfigError('store', 'must be a StateStore (with attach and close)', o.store);
    }
    this.store = o.store;
    this.maxCircuits =
      o.maxCircuits === undefined
        ? DEFAULT_MAX_CIRCUITS
        : requireInteger(o.maxCircuits, 'maxCircuits');
    this.restores = new PendingRestores(this.maxCircuits);
    this.probeWarnings = new ProbeWarnings(this.warnings, this.maxCircuits);
    this.observer = {
      stateChange: (name, from, to, reason) => {
        // Stryker disable next-line ConditionalExpression: emitting to nobody does nothing
        if (this.stateChanges.active)
          this.stateChanges.emit(reason ? { name, from, to, reason } : { name, from, to });
      },
      call: (name, outcome, durationMs, slow, errorType) => {
        // Stryker disable next-line ConditionalExpression: emitting to nobody does nothing
        if (this.calls.active)
          this.calls.emit(
            errorType === undefined
              ? { name, outcome, durationMs, slow }
              : { name, outcome, durationMs, slow, errorType },
          );
      },
      timing: () => this.calls.active,
      probeError: (name, error) => this.probeWarnings.probeFailed(name, error),
      reject: (name, reason, retryAfterMs) => {
        // Stryker disable next-line ConditionalExpression: emitting to nobody does nothing
        if (this.rejects.active)
          this.rejects.emit({ name, reason: reason as RejectReason, retryAfterMs });
      },
    };
  }

  /**
   * The circuit called `name`, created on first use. `policy` is merged over the registry's
   * defaults and applies only when the circuit is created (later calls return it unchanged); a
   * later `policy` that differs is reported once per circuit as a process warning (code
   * `RPC_BREAKER_POLICY_CONFLICT`, see policy-conflict.ts).
   * @throws ConfigError when the name is empty, `policy` is not an object or the merged policy is
   *   invalid
   */
  get(name: string, policy?: CircuitPolicy): CircuitBreaker {
    // Checked first: a policy is also a WeakMap key (resolve, checkPolicy), which a primitive
    // such as NaN cannot be.
    if (policy !== undefined && !isPlainObject(policy))
      throw new ConfigError('circuit', 'must be an object', policy);
    const existing = this.circuits.get(name);
    if (existing) {
      // Adapters pass one policy object per method: each is compared once per circuit.
      if (
        policy !== undefined &&
        // Stryker disable next-line ConditionalExpression: comparing again finds what it did before
        this.checked.get(policy) !== existing
      ) {
        this.checkPolicy(existing, policy);
      }
      return existing;
    }
    if (typeof name !== 'string' || name.length === 0)
      throw new ConfigError('name', 'must be a non-empty string', name);
    const resolved = this.resolve(policy);
    const breaker = new CircuitBreaker(name, resolved, {
      clock: this.clock,
      observer: this.observer,
    });
    this.circuits.set(name, breaker);
    const restored = this.restores.take(name, this.clock.now());
    if (restored) breaker.restore(restoredState(restored, resolved));
    if (this.store) {
      const sync = this.store.attach(name, breaker, this.clock);
      // A store is user code as much as an option: what it hands back is checked before the
      // circuit relies on it (a call, or close(), would otherwise fail with a TypeError).
      if (!hasMethods(sync, 'store.attach()', 'publish', 'leaseProbes', 'detach')) {
        this.circuits.delete(name);
        throw new ConfigError('store.attach()', 'must return a CircuitSync', sync);
      }
      this.syncs.set(name, sync);
      breaker.attachSync(sync);
    }
    if (this.circuits.size > this.maxCircuits) this.evict(breaker);
    return breaker;
  }

  /** The circuit called `name` if it exists; never creates one. */
  find(name: string): CircuitBreaker | undefined {
    return this.circuits.get(name);
  }

  /** How many circuits the registry holds. */
  get size(): number {
    return this.circuits.size;
  }

  /**
   * Snapshots of every circuit, as plain JSON, each stamped with the wall-clock `takenAt` so that
   * `restore` can age its open periods in another process.
   */
  snapshot(): CircuitSnapshot[] {
    const takenAt = Date.now();
    return Array.from(this.circuits.values(), (c) => ({ ...c.snapshot(), takenAt }));
  }

  /**
   * Starts circuits as `snapshot` (an earlier `snapshot()`, e.g. saved to a file by a process
   * that has since stopped) left them: state, open time left, backoff step, counts. An open
   * period that has passed restores as half-open, never open; one still running is capped at the
   * longest open period the circuit's policy allows. Circuits not created yet take their entry
   * when they are (with their own policy). The restore is local: with a store attached, the
   * fleet's stored state wins, and circuits that already hold one are left as they are.
   * @throws ConfigError naming the entry and field when the snapshot is malformed (nothing is
   *   restored then)
   */
  restore(snapshot: readonly CircuitSnapshot[]): void {
    const entries = readSnapshots(snapshot, Date.now());
    const now = this.clock.now();
    for (const entry of entries) {
      const existing = this.circuits.get(entry.name);
      if (!existing) this.restores.add(entry, now);
      else if (!(this.store && existing.generation > 0))
        existing.restore(restoredState(entry, existing.policy));
    }
  }

  /**
   * Acts on circuit `name` as an operator: `force-open`, `disable` or `reset` (shared with the
   * fleet when a store is attached, like any transition), then tells `onControl` listeners.
   * @returns the circuit's new snapshot, or `undefined` when no circuit has that name (none is
   *   created)
   */
  control(name: string, action: ControlAction): CircuitSnapshot | undefined {
    const circuit = this.circuits.get(name);
    if (!circuit) return undefined;
    if (action === 'force-open') circuit.forceOpen();
    else if (action === 'disable') circuit.disable();
    else if (action === 'reset') circuit.reset();
    else throw new ConfigError('action', 'must be force-open, disable or reset', action);
    const snapshot = circuit.snapshot();
    // Stryker disable next-line ConditionalExpression: emitting to nobody does nothing
    if (this.controls.active) this.controls.emit({ name, action, state: snapshot.state });
    return snapshot;
  }

  /** Counts a fallback served for circuit `name` and tells `onFallback` listeners. */
  recordFallback(name: string, kind: 'cache' | 'value', method?: string): void {
    const c = this.circuits.get(name);
    if (c) c.counts.fallbacks++;
    // Stryker disable next-line ConditionalExpression: emitting to nobody does nothing
    if (this.fallbacks.active)
      this.fallbacks.emit(method === undefined ? { name, kind } : { name, kind, method });
  }

  /** Calls `listener` on every state change of every circuit. */
  onStateChange(listener: (e: StateChangeEvent) => void): DisposableHandle {
    return this.stateChanges.add(listener);
  }

  /** Calls `listener` when a call that held a permit finishes. */
  onCall(listener: (e: CallEvent) => void): DisposableHandle {
    return this.calls.add(listener);
  }

  /** Calls `listener` when a call is rejected without running. */
  onReject(listener: (e: RejectEvent) => void): DisposableHandle {
    return this.rejects.add(listener);
  }

  /** Calls `listener` when a fallback answer is served. */
  onFallback(listener: (e: FallbackEvent) => void): DisposableHandle {
    return this.fallbacks.add(listener);
  }

  /**
   * Calls `listener` once per circuit and kind when a circuit cannot recover on its own, e.g. its
   * gRPC health check answers UNIMPLEMENTED. Without a listener such a warning goes to
   * `process.emitWarning` (type `RpcBreakerWarning`).
   */
  onWarning(listener: (e: WarningEvent) => void): DisposableHandle {
    return this.warnings.add(listener);
  }

  /** Calls `listener` when an operator acts on a circuit (`control`). */
  onControl(listener: (e: ControlEvent) => void): DisposableHandle {
    return this.controls.add(listener);
  }

  /** Calls `listener` when an idle circuit is evicted (metrics drop its series). */
  onEvict(listener: (e: EvictEvent) => void): DisposableHandle {
    return this.evictions.add(listener);
  }

  /**
   * Stops sharing state and releases the store's connections. The registry keeps working
   * locally afterwards. There are no timers to clear.
   */
  async close(): Promise<void> {
    for (const [name, sync] of this.syncs) {
      sync.detach();
      // Stryker disable next-line OptionalChaining: a circuit leaves `syncs` when it is evicted
      this.circuits.get(name)?.attachSync(undefined);
    }
    this.syncs.clear();
    await this.store?.close();
  }

  /** `close()`, for `await using`. */
  [ASYNC_DISPOSE](): Promise<void> {
    return this.close();
  }

  /**
   * The resolved policy for `policy` over the defaults. Cached per policy object (adapters pass
   * the same object for every call of a method), so circuits share one frozen policy.
   */
  private resolve(policy: CircuitPolicy | undefined): ResolvedCircuitPolicy {
    const key = policy ?? NO_POLICY;
    let resolved = this.resolved.get(key);
    if (!resolved) {
      const own = policy && readOptions(policy, CIRCUIT_POLICY_KEYS, 'circuit');
      resolved = resolveCircuitPolicy(mergeCircuitPolicy(this.defaults, own), 'circuit');
      this.resolved.set(key, resolved);
    }
    return resolved;
  }

  /** Warns (once per circuit) when `policy` is not the policy `circuit` was created with. */
  private checkPolicy(circuit: CircuitBreaker, policy: CircuitPolicy): void {
    // Resolved before it is marked checked: an invalid policy throws every time it is given.
    const resolved = this.resolve(policy);
    this.checked.set(policy, circuit);
    if (this.warned.has(circuit)) return;
    const differences = policyDifferences(circuit.policy, resolved);
    if (differences.length === 0) return;
    this.warned.add(circuit);
    warnPolicyConflict(circuit.name, differences);
  }

  /** Evicts the idle closed circuits used least recently, down to 90 % of the bound. */
  private evict(keep: CircuitBreaker): void {
    const target = Math.floor(this.maxCircuits * 0.9);
    const candidates: CircuitBreaker[] = [];
    for (const c of this.circuits.values()) {
      if (c !== keep && c.inFlight === 0 && c.state === 'closed') candidates.push(c);
    }
    candidates.sort((a, b) => a.lastUsed - b.lastUsed);
    for (const c of candidates) {
      if (this.circuits.size <= target) break;
      this.circuits.delete(c.name);
      const sync = this.syncs.get(c.name);
      if (sync) {
        sync.detach();
        this.syncs.delete(c.name);
      }
      // Stryker disable next-line ConditionalExpression: emitting to nobody does nothing
      if (this.evictions.active) this.evictions.emit({ name: c.name });
    }
  }
}
