/**
 * What the Redis store writes and reads: a circuit's state hash (fields g, s, u, o), the hints on
 * the channel, and the shared window sums. Redis is shared with other programs, older versions
 * and possibly hostile peers, so nothing read from it is trusted as it comes: every field is
 * type- and range-checked, and anything malformed is ignored rather than adopted. A channel
 * message is never adopted at all: it only names a circuit whose hash is worth re-reading
 * (hint-reads.ts), so only states the compare-and-set stored can reach a circuit.
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

/**
 * Highest generation taken from Redis (2^48, some 9,000 years of 1,000 transitions a second):
 * a higher one is garbage or forged, and leaves room for exact increments up to 2^53. The CAS
 * script (scripts.ts) treats a stored state beyond it as absent, so it gets overwritten.
 */
export const MAX_GENERATION = 2 ** 48;

/** Highest consecutive-opens count taken from Redis. */
export const MAX_OPENS = 1_000_000;

/** Longest channel message looked at; ours are a few hundred bytes. */
export const MAX_MESSAGE_LENGTH = 16_384;

/** A hint on the channel: circuit `name` changed, announced by store `origin`. */
export interface TransitionHint {
  name: string;
  origin: string;
}

/** A whole number from Redis (reply or field) in [0, max]; undefined otherwise. */
function wholeNumber(v: unknown, max: number): number | undefined {
  if (typeof v === 'string') {
    if (v.trim() === '') return undefined;
  } else if (typeof v !== 'number') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}

/**
 * Reads a state from its hash fields [generation, state, open-until wall ms or '', consecutive
 * opens] (as HMGET and the CAS script return them); undefined when absent or malformed: a
 * generation that is not a whole number in [0, MAX_GENERATION], an unknown state, an open state
 * without a finite open-until, a consecutive-opens count that is not a whole number in
 * [0, MAX_OPENS]. How far ahead an open period may reach is judged per circuit on delivery
 * (member.ts), against the circuit's own policy.
 */
export function parseStored(fields: readonly unknown[]): StoredState | undefined {
  if (!Array.isArray(fields) || fields.length < 4) return undefined;
  const [g, s, u, o] = fields;
  const generation = wholeNumber(g, MAX_GENERATION);
  if (generation === undefined || typeof s !== 'string' || !STATES.has(s)) return undefined;
  const consecutiveOpens =
    o === '' || o === null || o === undefined ? 0 : wholeNumber(o, MAX_OPENS);
  if (consecutiveOpens === undefined) return undefined;
  let openUntilWall: number | null = null;
  if (s === 'open') {
    openUntilWall = typeof u === 'string' && u.trim() !== '' ? Number(u) : NaN;
    if (typeof u === 'number') openUntilWall = u;
    if (!Number.isFinite(openUntilWall)) return undefined;
  }
  return { generation, state: s as CircuitState, openUntilWall, consecutiveOpens };
}

/** The hash fields of `s` in CAS-script argument order: generation, state, open-until, opens. */
export function storedFields(s: StoredState): [number, string, number | string, number] {
  return [s.generation, s.state, s.openUntilWall ?? '', s.consecutiveOpens];
}

/**
 * The channel message announcing `s` for circuit `name`, from store `origin`. Receivers take it
 * as a hint only; the fields are there for people watching the channel.
 */
export function encodeTransition(name: string, origin: string, s: StoredState): string {
  return JSON.stringify({ n: name, o: origin, f: storedFields(s) });
}

/**
 * Reads a channel message as a hint; undefined when it is not one of ours (not a string, too
 * long, not JSON, wrong types). Never throws.
 */
export function decodeHint(message: unknown): TransitionHint | undefined {
  if (typeof message !== 'string' || message.length > MAX_MESSAGE_LENGTH) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return undefined;
  const { n, o } = m as { n?: unknown; o?: unknown };
  if (typeof n !== 'string' || typeof o !== 'string') return undefined;
  return { name: n, origin: o };
}

/**
 * Reads the sums a shared-window flush returns: [calls, failures, slow], each a whole number,
 * failures and slow calls no more than calls; undefined otherwise (the circuit then judges its
 * local window).
 */
export function parseWindowSums(value: unknown): [number, number, number] | undefined {
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [c, f, s] = value.map((v: unknown) => wholeNumber(v, Number.MAX_SAFE_INTEGER));
  if (c === undefined || f === undefined || s === undefined) return undefined;
  return f <= c && s <= c ? [c, f, s] : undefined;
}

/** The probe slots a lease script reports, as a whole number in [0, wanted] (0 when garbled). */
export function parseGranted(value: unknown, wanted: number): number {
  return Math.min(wanted, wholeNumber(value, Number.MAX_SAFE_INTEGER) ?? 0);
}

/** The outcome of a quorum vote (quorum-scripts.ts): still short, fleet opened, or adopt. */
export interface VoteOutcome {
  /** The generation at which the vote opened the fleet. */
  opened?: number;
  /** The fleet was already past closed: its stored state. */
  stored?: StoredState;
}

/** Reads the vote script's reply; undefined when garbled. */
export function parseVote(reply: unknown): VoteOutcome | undefined {
  if (!Array.isArray(reply)) return undefined;
  if (reply[0] === 0) return {};
  if (reply[0] === 2) {
    const opened = wholeNumber(reply[1], MAX_GENERATION);
    return opened === undefined ? undefined : { opened };
  }
  if (reply[0] !== 1) return undefined;
  const stored = parseStored(reply.slice(1));
  return stored && { stored };
}

/** The active-member count the announce script returns: a whole number >= 1, else undefined. */
export function parseMemberCount(reply: unknown): number | undefined {
  const n = wholeNumber(reply, 1_000_000);
  return n !== undefined && n >= 1 ? n : undefined;
}
