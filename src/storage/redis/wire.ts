/**
 * What the Redis store writes and reads: a circuit's state hash (fields g, s, u, o) and the
 * transition messages on the channel. Anything malformed (another program's keys, an older
 * version's message) is ignored rather than adopted.
 */
import type { CircuitState } from '../../core/types.js';
import type { StoredState } from '../state-store.js';

const STATES: ReadonlySet<string> = new Set([
  'closed',
  'open',
  'half-open',
  'forced-open',
  'disabled',
]);

/** A transition as published: the circuit, the publishing store, and the stored state. */
export interface TransitionMessage {
  name: string;
  origin: string;
  state: StoredState;
}

/**
 * Reads a state from its hash fields [generation, state, open-until wall ms or '', consecutive
 * opens] (as HMGET and the CAS script return them); undefined when absent or malformed.
 */
export function parseStored(fields: readonly unknown[]): StoredState | undefined {
  const [g, s, u, o] = fields;
  if (g === null || g === undefined || g === '') return undefined;
  const generation = Number(g);
  if (!Number.isSafeInteger(generation) || typeof s !== 'string' || !STATES.has(s)) {
    return undefined;
  }
  const wall = u === '' || u === null || u === undefined ? null : Number(u);
  return {
    generation,
    state: s as CircuitState,
    openUntilWall: wall !== null && Number.isFinite(wall) ? wall : null,
    consecutiveOpens: Number(o) || 0,
  };
}

/** The hash fields of `s` in CAS-script argument order: generation, state, open-until, opens. */
export function storedFields(s: StoredState): [number, string, number | string, number] {
  return [s.generation, s.state, s.openUntilWall ?? '', s.consecutiveOpens];
}

/** The channel message announcing `s` for circuit `name`, from store `origin`. */
export function encodeTransition(name: string, origin: string, s: StoredState): string {
  return JSON.stringify({ n: name, o: origin, f: storedFields(s) });
}

/** Reads a channel message; undefined when it is not one of ours. */
export function decodeTransition(message: string): TransitionMessage | undefined {
  let m: { n?: unknown; o?: unknown; f?: unknown };
  try {
    m = JSON.parse(message) as typeof m;
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null || typeof m.n !== 'string') return undefined;
  if (typeof m.o !== 'string' || !Array.isArray(m.f)) return undefined;
  const state = parseStored(m.f);
  return state && { name: m.n, origin: m.o, state };
}
