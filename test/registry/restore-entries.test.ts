/** The parts of a restore below the registry: reading entries, waiting entries, the open cap. */
import { describe, expect, it } from 'vitest';
import { resolveCircuitPolicy } from '../../src/core/policy.js';
import {
  PendingRestores,
  longestOpenMs,
  readSnapshots,
  type RestoredCircuit,
} from '../../src/registry/restore.js';

const read = (entries: unknown, wallNow = 1_000) => readSnapshots(entries, wallNow);
const ZERO = {
  successes: 0,
  failures: 0,
  ignored: 0,
  slow: 0,
  rejected: 0,
  fallbacks: 0,
  transitions: 0,
};

describe('readSnapshots', () => {
  it('reads a bare closed entry with zero counts and no trip reason', () => {
    expect(read([{ name: 'a', state: 'closed', extra: 1 }])).toStrictEqual([
      {
        name: 'a',
        state: 'closed',
        remainingOpenMs: 0,
        consecutiveOpens: 0,
        counts: ZERO,
        lastTripReason: null,
      },
    ]);
  });

  it('reads the counts given and zeroes the others', () => {
    const [a] = read([{ name: 'a', state: 'closed', counts: { failures: 3, other: 'x' } }]);
    expect(a?.counts).toStrictEqual({ ...ZERO, failures: 3 });
  });

  it('ages an open entry by its takenAt, and takes an entry without one as fresh', () => {
    const open = { name: 'a', state: 'open', retryAfterMs: 500 };
    expect(read([{ ...open, takenAt: 800 }])[0]?.remainingOpenMs).toBe(300);
    expect(read([open])[0]?.remainingOpenMs).toBe(500);
    expect(read([{ ...open, retryAfterMs: 0 }])[0]?.remainingOpenMs).toBe(0);
  });

  it('accepts every trip reason', () => {
    const reasons = [
      'consecutive-failures',
      'failure-rate',
      'slow-call-rate',
      'half-open-failure',
      'forced',
      'remote',
      'probe-failure',
    ];
    const entries = reasons.map((r, i) => ({ name: `c${i}`, state: 'closed', lastTripReason: r }));
    expect(read(entries).map((e) => e.lastTripReason)).toEqual(reasons);
  });

  it('accepts every state', () => {
    const states = ['closed', 'open', 'half-open', 'forced-open', 'disabled'];
    const entries = states.map((s, i) => ({ name: `c${i}`, state: s, retryAfterMs: 1 }));
    expect(read(entries).map((e) => e.state)).toEqual(states);
  });

  it('names the entry and field of each malformed value', () => {
    const bad: Array<[unknown, string]> = [
      [{ name: '', state: 'closed' }, 'snapshot[0].name must be a non-empty string; got ""'],
      [{ name: 5, state: 'closed' }, 'snapshot[0].name must be a non-empty string; got 5'],
      [
        { name: 'a', state: 'shut' },
        'snapshot[0].state must be one of closed, open, half-open, forced-open, disabled; got "shut"',
      ],
      [
        { name: 'a', state: 'open', retryAfterMs: -1 },
        'snapshot[0].retryAfterMs must be a finite number >= 0; got -1',
      ],
      [
        { name: 'a', state: 'open', retryAfterMs: 1, takenAt: 'x' },
        'snapshot[0].takenAt must be a finite number >= 0; got "x"',
      ],
      [
        { name: 'a', state: 'closed', lastTripReason: 'bad-luck' },
        'snapshot[0].lastTripReason must be a trip reason or null; got "bad-luck"',
      ],
      [
        { name: 'a', state: 'closed', consecutiveOpens: 1.5 },
        'snapshot[0].consecutiveOpens must be a safe integer >= 0; got 1.5',
      ],
      [
        { name: 'a', state: 'closed', counts: 3 },
        'snapshot[0].counts must be an object of counts; got 3',
      ],
      [
        { name: 'a', state: 'closed', counts: { slow: -1 } },
        'snapshot[0].counts.slow must be a safe integer >= 0; got -1',
      ],
    ];
    for (const [entry, message] of bad) expect(() => read([entry])).toThrow(message);
  });

  it('refuses more than 1,000,000 entries before reading any', () => {
    expect(() => read(new Array(1_000_001).fill(0))).toThrow(
      'snapshot must hold at most 1000000 entries; got 1000001',
    );
    expect(() => read(new Array(1_000_000).fill(0))).toThrow(
      'snapshot[0] must be a circuit snapshot; got 0',
    );
  });
});

describe('PendingRestores', () => {
  const entry = (name: string, remainingOpenMs = 0): RestoredCircuit => ({
    name,
    state: 'open',
    remainingOpenMs,
    consecutiveOpens: 0,
    counts: ZERO,
    lastTripReason: null,
  });

  it('forgets the oldest entry past its bound, counting a re-added one as new', () => {
    const pending = new PendingRestores(2);
    pending.add(entry('a'), 0);
    pending.add(entry('b'), 0);
    pending.add(entry('a'), 0);
    pending.add(entry('c'), 0);
    expect(pending.take('b', 0)).toBeUndefined();
    expect(pending.take('a', 0)?.name).toBe('a');
    expect(pending.take('c', 0)?.name).toBe('c');
  });

  it('hands an entry out once, with the open time spent waiting taken off', () => {
    const pending = new PendingRestores(10);
    pending.add(entry('a', 500), 100);
    expect(pending.take('a', 300)?.remainingOpenMs).toBe(300);
    expect(pending.take('a', 300)).toBeUndefined();
  });
});

describe('longestOpenMs', () => {
  it('is the ceiling of the backoff', () => {
    const policy = resolveCircuitPolicy({ openMs: { initialMs: 100, maxMs: 1_000 } });
    expect(longestOpenMs(policy)).toBe(1_000);
  });
});
