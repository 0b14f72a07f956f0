import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import { retryDelayMs } from '../../src/retry/backoff.js';
import { RetryBudget } from '../../src/retry/retry-budget.js';
import { validateRetryOptions } from '../../src/retry/retry-options.js';
import { RetryPlanner } from '../../src/retry/retry-planner.js';
import { fcRuns } from '../fc-runs.js';

describe('retryDelayMs', () => {
  it('draws a delay in [0, min(max, initial × 2^(n-1))]', () => {
    for (let n = 1; n <= 10; n++) {
      const ceiling = Math.min(1_000, 50 * 2 ** (n - 1));
      expect(retryDelayMs(n, 50, 1_000, () => 0)).toBe(0);
      expect(retryDelayMs(n, 50, 1_000, () => 0.999999)).toBeCloseTo(ceiling, 0);
      const d = retryDelayMs(n, 50, 1_000);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe('RetryBudget', () => {
  it('allows ratio × calls plus minPerSecond × window seconds of retries', () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, clock });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryWithdraw()) granted++;
    expect(granted).toBe(20 + 10);
  });

  it('earns the budget back as old calls slide out of the window', () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, clock });
    while (budget.tryWithdraw());
    expect(budget.tryWithdraw()).toBe(false);
    clock.advance(10_000);
    expect(budget.tryWithdraw()).toBe(true);
  });

  it('never lets retries exceed ratio × calls + floor in any 10 s window (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(
          fc.record({
            advance: fc.integer({ min: 0, max: 1_500 }),
            calls: fc.nat(20),
            retries: fc.nat(30),
          }),
          { maxLength: 60 },
        ),
        (ratio, minPerSecond, steps) => {
          const clock = new ManualClock();
          const budget = new RetryBudget({ ratio, minPerSecond, clock });
          const log: Array<{ t: number; call: boolean }> = [];
          for (const s of steps) {
            clock.advance(s.advance);
            for (let i = 0; i < s.calls; i++) {
              budget.recordRequest();
              log.push({ t: clock.now(), call: true });
            }
            for (let i = 0; i < s.retries; i++)
              if (budget.tryWithdraw()) log.push({ t: clock.now(), call: false });
            // the bucketed window covers the current second and the 9 before it
            const from = (Math.floor(clock.now() / 1_000) - 9) * 1_000;
            const recent = log.filter((e) => e.t >= from);
            const calls = recent.filter((e) => e.call).length;
            const retries = recent.length - calls;
            expect(retries).toBeLessThanOrEqual(ratio * calls + minPerSecond * 10 + 1e-9);
          }
        },
      ),
      { numRuns: fcRuns(500) },
    );
  });
});

describe('RetryPlanner', () => {
  it('stops after maxAttempts', () => {
    const p = new RetryPlanner(
      { maxAttempts: 3, initialDelayMs: 10 },
      new ManualClock(),
      () => 0.5,
    );
    p.onOriginalCall();
    expect(p.nextDelay(1)).toBe(5);
    expect(p.nextDelay(2)).toBe(10);
    expect(p.nextDelay(3)).toBeUndefined();
  });

  it('never waits past the call deadline', () => {
    const p = new RetryPlanner(
      { maxAttempts: 5, initialDelayMs: 100 },
      new ManualClock(),
      () => 0.9,
    );
    expect(p.nextDelay(1, 50)).toBeUndefined();
    expect(p.nextDelay(1, 500)).toBe(90);
  });

  it('keeps the load under a total outage near (1 + ratio) × the call rate, not maxAttempts ×', () => {
    const clock = new ManualClock();
    const planner = new RetryPlanner(
      { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 1, budget: { ratio: 0.2, minPerSecond: 1 } },
      clock,
    );
    let sent = 0;
    const calls = 200 * 60; // 200 calls/s for 60 s, every attempt fails
    for (let i = 0; i < calls; i++) {
      clock.advance(5);
      planner.onOriginalCall();
      sent++;
      for (let attempt = 1; planner.nextDelay(attempt, 1_000) !== undefined; attempt++) sent++;
    }
    const amplification = sent / calls;
    expect(amplification).toBeLessThanOrEqual(1.2 + (1 * 60) / calls + 0.01);
    expect(amplification).toBeGreaterThan(1.15);
  });
});

describe('validateRetryOptions', () => {
  it.each([
    [{ maxAttempts: 0 }, 'retry.maxAttempts must be an integer >= 1; got 0'],
    [
      { maxAttempts: 3, initialDelayMs: -1 },
      'retry.initialDelayMs must be a finite number >= 0; got -1',
    ],
    [
      { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 10 },
      'retry.maxDelayMs must be >= initialDelayMs (100); got 10',
    ],
    [
      { maxAttempts: 3, budget: { ratio: -1, minPerSecond: 1 } },
      'retry.budget.ratio must be a finite number >= 0; got -1',
    ],
    [{ maxAttempts: 3, retries: 2 }, 'retry.retries is not a known option; got 2'],
    [
      true,
      'retry must be false or { maxAttempts, initialDelayMs?, maxDelayMs?, budget? }; got true',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => validateRetryOptions(options, 'retry')).toThrow(ConfigError);
    expect(() => validateRetryOptions(options, 'retry')).toThrow(message);
  });

  it('accepts false', () => {
    expect(validateRetryOptions(false, 'retry')).toBe(false);
  });
});
