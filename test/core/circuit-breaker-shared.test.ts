import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { newCounts } from '../../src/core/snapshot.js';

function circuit() {
  const clock = new ManualClock(1000);
  return { clock, c: new CircuitBreaker('c', { openMs: 5000 }, { clock }) };
}

describe('CircuitBreaker.adopt', () => {
  it('adopts a newer state from the fleet, with its open time and backoff step', () => {
    const { c } = circuit();
    const gen = c.generation;
    c.adopt({ state: 'open', generation: gen + 2, openUntil: 4000, consecutiveOpens: 3 });
    expect(c.state).toBe('open');
    expect(c.generation).toBe(gen + 2);
    expect(c.sharedState()).toEqual({
      state: 'open',
      generation: gen + 2,
      openUntil: 4000,
      consecutiveOpens: 3,
    });
    expect(c.snapshot().retryAfterMs).toBe(3000);
  });

  it('ignores an older generation', () => {
    const { c } = circuit();
    c.adopt({ state: 'open', generation: c.generation + 1, openUntil: 4000, consecutiveOpens: 1 });
    const gen = c.generation;
    c.adopt({ state: 'closed', generation: gen - 1, openUntil: null, consecutiveOpens: 0 });
    expect(c.state).toBe('open');
    expect(c.generation).toBe(gen);
  });

  it('takes the store’s version of the same generation when it differs', () => {
    const { c } = circuit();
    const gen = c.generation + 1;
    c.adopt({ state: 'open', generation: gen, openUntil: 4000, consecutiveOpens: 1 });
    c.adopt({ state: 'open', generation: gen, openUntil: 6000, consecutiveOpens: 1 });
    expect(c.sharedState().openUntil).toBe(6000);
    c.adopt({ state: 'forced-open', generation: gen, openUntil: 6000, consecutiveOpens: 1 });
    expect(c.state).toBe('forced-open');
    expect(c.sharedState().openUntil).toBeNull();
  });

  it('drops an open time that comes with a state other than open', () => {
    const { c } = circuit();
    c.adopt({
      state: 'half-open',
      generation: c.generation + 1,
      openUntil: 9000,
      consecutiveOpens: 2,
    });
    expect(c.state).toBe('half-open');
    expect(c.sharedState()).toMatchObject({ openUntil: null, consecutiveOpens: 2 });
  });
});

describe('CircuitBreaker.restore', () => {
  it('restores an open circuit with the open time left, in a new generation', () => {
    const { c } = circuit();
    const gen = c.generation;
    const counts = { ...newCounts(), failures: 4, transitions: 1 };
    c.restore({
      state: 'open',
      openMs: 700,
      consecutiveOpens: 2,
      counts,
      lastTripReason: 'consecutive-failures',
    });
    expect(c.state).toBe('open');
    expect(c.generation).toBe(gen + 1);
    expect(c.sharedState()).toMatchObject({ openUntil: 1700, consecutiveOpens: 2 });
    const s = c.snapshot();
    expect(s.counts.failures).toBe(4);
    expect(s.lastTripReason).toBe('consecutive-failures');
  });

  it('makes an open circuit with no open time left half-open', () => {
    for (const openMs of [0, -5, Number.NaN]) {
      const { c } = circuit();
      c.restore({
        state: 'open',
        openMs,
        consecutiveOpens: 1,
        counts: newCounts(),
        lastTripReason: null,
      });
      expect(c.state).toBe('half-open');
      expect(c.sharedState().openUntil).toBeNull();
    }
  });
});
