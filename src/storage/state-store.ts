/**
 * The contract between a circuit registry and a shared state store (memory, Redis).
 *
 * A store keeps, per circuit name, the shared part of its state (`SharedCircuitState`). The rule
 * that makes a fleet agree: a published state is stored only if its generation is higher than the
 * stored one (a compare-and-set on the generation); otherwise the publisher adopts the stored
 * state. So two processes that trip at once produce one open period: the second adopts the first.
 * Stores convert `openUntil` between each process's clock and wall time themselves.
 */
import type { SharedCircuitState } from '../core/circuit-sync.js';
import type { Clock } from '../core/clock.js';

export type { StateStore, SyncedCircuit } from '../core/circuit-sync.js';

/** Wall-clock ms when an open circuit (clock time `openUntil`) may probe; null if not open. */
export function toWallTime(openUntil: number | null, clock: Clock): number | null {
  return openUntil === null ? null : Date.now() + (openUntil - clock.now());
}

/** The inverse of `toWallTime` for a circuit on `clock`. */
export function fromWallTime(wallMs: number | null, clock: Clock): number | null {
  return wallMs === null ? null : clock.now() + (wallMs - Date.now());
}

/** A circuit's shared state as a store keeps it: the open period in wall-clock time. */
export interface StoredState {
  state: SharedCircuitState['state'];
  generation: number;
  openUntilWall: number | null;
  consecutiveOpens: number;
}

/** What a store keeps of `s`, published by a circuit on `clock`. */
export function toStored(s: SharedCircuitState, clock: Clock): StoredState {
  return {
    state: s.state,
    generation: s.generation,
    openUntilWall: toWallTime(s.openUntil, clock),
    consecutiveOpens: s.consecutiveOpens,
  };
}

/** A stored state as a circuit on `clock` adopts it. */
export function toShared(s: StoredState, clock: Clock): SharedCircuitState {
  return {
    state: s.state,
    generation: s.generation,
    openUntil: fromWallTime(s.openUntilWall, clock),
    consecutiveOpens: s.consecutiveOpens,
  };
}
