/**
 * The hook through which a circuit shares its state with other processes. The core only calls
 * it; a state store (memory, Redis) implements it. Nothing here may block a call: publishing is
 * fire-and-forget and probe leases answer through a callback.
 */
import type { Clock } from './clock.js';
import type { CircuitState, StateChangeReason } from './types.js';
import type { WindowTotals } from './windows/rate-window.js';

/** The part of a circuit's state that a fleet shares. */
export interface SharedCircuitState {
  readonly state: CircuitState;
  /** Increases on every transition; a transition is applied only over the generation it saw. */
  readonly generation: number;
  /** Clock time (ms, this process's clock) when an open circuit lets a probe through. */
  readonly openUntil: number | null;
  /** Consecutive opens without closing: the open-time backoff step. */
  readonly consecutiveOpens: number;
}

/** Connects one circuit to a shared store. */
export interface CircuitSync {
  /** Called after every local transition with the new state (its generation is the old + 1). */
  publish(next: SharedCircuitState): void;
  /**
   * Asks for up to `wanted` half-open probe slots of `generation` for this process, leased
   * fleet-wide for `ttlMs`. `grant` receives the number obtained, now or later.
   */
  leaseProbes(
    generation: number,
    wanted: number,
    ttlMs: number,
    grant: (granted: number) => void,
  ): void;
  /** Stops sharing (the circuit was evicted or its registry closed). */
  detach(): void;
  /**
   * Optional: shares the circuit's time window with the fleet (e.g. `RedisStateStore` with
   * `shareCounts: true`). Called once when the circuit is attached, only for a policy with a
   * time-based window of `windowMs`; `changed` is called when fresh fleet totals arrive, so the
   * circuit can re-judge them without waiting for its next call.
   */
  shareCounts?(windowMs: number, changed: () => void): SharedCounts;
}

/**
 * A closed circuit's window counts, aggregated across a fleet. Every method is O(1) and does
 * no I/O: the store batches the counts and refreshes the fleet totals in the background.
 */
export interface SharedCounts {
  /** Counts one finished call of the closed circuit (not an ignored one). */
  record(failure: boolean, slow: boolean): void;
  /**
   * The fleet's totals over the window, this process's unsent counts included; `undefined`
   * when they are not known (store unreachable, not read yet): the circuit then judges its own
   * local window. The object may be reused by the next call.
   */
  totals(): WindowTotals | undefined;
  /** Forgets the counts of the ended period (called on every state change of the circuit). */
  reset(): void;
}

/** What a circuit tells its observer (the registry); each method is optional to implement. */
export interface CircuitObserver {
  stateChange(
    name: string,
    from: CircuitState,
    to: CircuitState,
    reason: StateChangeReason | undefined,
  ): void;
  call(
    name: string,
    outcome: 'success' | 'failure' | 'ignore',
    durationMs: number,
    slow: boolean,
    errorType?: string,
  ): void;
  reject(name: string, reason: string, retryAfterMs: number): void;
  /** A half-open health check rejected with `error`. */
  probeError?(name: string, error: unknown): void;
  /** Whether somebody needs call durations (the circuit then reads its clock on every call). */
  timing(): boolean;
}

/** The side of a circuit a store talks to. */
export interface SyncedCircuit {
  /** Applies a state decided elsewhere (ignored when older than the circuit's own). */
  adopt(remote: SharedCircuitState): void;
  /** The circuit's current shared state. */
  sharedState(): SharedCircuitState;
  /**
   * The circuit's policy, when it has one: a store that reads states from outside the process
   * caps an adopted open period at `openMs.maxMs` from now.
   */
  readonly policy?: { readonly openMs: { readonly maxMs: number } };
}

/**
 * Shares circuit state between registries (and so between processes). Implemented by
 * `MemoryStateStore` and `RedisStateStore`; see storage/state-store.ts for the rules.
 */
export interface StateStore {
  /**
   * Starts sharing circuit `name`. The store delivers the stored state (if any) through
   * `circuit.adopt`, now or later, and every later transition published by another member.
   * Must not throw and must never make a call wait.
   */
  attach(name: string, circuit: SyncedCircuit, clock: Clock): CircuitSync;
  /** Stops sharing and releases the store's own connections. */
  close(): Promise<void>;
}
