import { describe, expect, it } from 'vitest';
import { buildSnapshot, newCounts, type SnapshotInput } from '../../src/core/snapshot.js';

function input(over: Partial<SnapshotInput>): SnapshotInput {
  return {
    name: 'c',
    state: 'closed',
    generation: 3,
    openUntil: null,
    now: 1000,
    consecutiveOpens: 0,
    inFlight: 0,
    counts: newCounts(),
    totals: { calls: 0, failures: 0, slow: 0 },
    consecutiveFailures: 0,
    lastTripReason: null,
    ...over,
  };
}

describe('buildSnapshot', () => {
  it('gives an open circuit its openUntil and the ms left until then', () => {
    const s = buildSnapshot(input({ state: 'open', openUntil: 1600, now: 1000 }));
    expect(s.openUntil).toBe(1600);
    expect(s.retryAfterMs).toBe(600);
    expect(buildSnapshot(input({ state: 'open', openUntil: 900, now: 1000 })).retryAfterMs).toBe(0);
  });

  it('reports no openUntil and no wait unless the circuit is open', () => {
    for (const state of ['closed', 'half-open'] as const) {
      const s = buildSnapshot(input({ state, openUntil: 5000, now: 1000 }));
      expect(s.openUntil).toBeNull();
      expect(s.retryAfterMs).toBe(0);
    }
  });

  it('reports no wait for an open circuit without an end, even on a clock below zero', () => {
    const s = buildSnapshot(input({ state: 'open', openUntil: null, now: -50 }));
    expect(s.retryAfterMs).toBe(0);
  });

  it('computes window rates as shares of the calls, 0 when there were none', () => {
    const s = buildSnapshot(input({ totals: { calls: 4, failures: 1, slow: 3 } }));
    expect(s.window).toMatchObject({ calls: 4, failures: 1, slow: 3, failureRate: 0.25 });
    expect(s.window.slowRate).toBe(0.75);
    const empty = buildSnapshot(input({}));
    expect(empty.window.failureRate).toBe(0);
    expect(empty.window.slowRate).toBe(0);
  });

  it('copies the counts so that the caller may mutate them', () => {
    const counts = newCounts();
    const s = buildSnapshot(input({ counts }));
    s.counts.failures = 9;
    expect(counts.failures).toBe(0);
  });
});
