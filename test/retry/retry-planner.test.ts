import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { RetryPlanner } from '../../src/retry/retry-planner.js';

const planner = (random = () => 0.5) =>
  new RetryPlanner(
    { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 400 },
    new ManualClock(),
    random,
  );

describe('RetryPlanner', () => {
  it('waits exactly the delay a server pushed back, up to maxDelayMs', () => {
    const p = planner();
    expect(p.nextDelay(1, undefined, 0)).toBe(0);
    expect(p.nextDelay(1, undefined, 250)).toBe(250);
    expect(p.nextDelay(1, undefined, 400)).toBe(400);
  });

  it('stops when the pushback is longer than maxDelayMs, negative or NaN', () => {
    const p = planner();
    expect(p.nextDelay(1, undefined, 401)).toBeUndefined();
    expect(p.nextDelay(1, undefined, -1)).toBeUndefined();
    expect(p.nextDelay(1, undefined, Number.NaN)).toBeUndefined();
  });

  it('stops when the delay would reach the deadline', () => {
    const p = planner();
    expect(p.nextDelay(1, 50)).toBeUndefined();
    expect(p.nextDelay(1, 51)).toBe(50);
    expect(p.nextDelay(1, 250, 250)).toBeUndefined();
  });

  it('caps the backoff at maxDelayMs and uses 100 ms then 5 s by default', () => {
    expect(planner(() => 1).nextDelay(4)).toBe(400);
    const defaults = new RetryPlanner({ maxAttempts: 20 }, new ManualClock(), () => 1);
    expect(defaults.nextDelay(1)).toBe(100);
    expect(defaults.nextDelay(10)).toBe(5_000);
  });

  it('stops when the retry budget is spent and reports what is left', () => {
    const p = new RetryPlanner(
      { maxAttempts: 3, budget: { ratio: 0.5, minPerSecond: 0 } },
      new ManualClock(),
      () => 0,
    );
    expect(p.budgetAvailable).toBe(0);
    expect(p.nextDelay(1)).toBeUndefined();
    for (let i = 0; i < 4; i++) p.onOriginalCall();
    expect(p.budgetAvailable).toBe(2);
    expect(p.nextDelay(1)).toBe(0);
    expect(p.nextDelay(1)).toBe(0);
    expect(p.nextDelay(1)).toBeUndefined();
    expect(p.budgetAvailable).toBe(0);
  });

  it('uses the default budget of 0.2 × calls + 10 per second', () => {
    const p = new RetryPlanner({ maxAttempts: 3 }, new ManualClock());
    expect(p.budgetAvailable).toBe(100);
    for (let i = 0; i < 10; i++) p.onOriginalCall();
    expect(p.budgetAvailable).toBe(102);
  });
});
