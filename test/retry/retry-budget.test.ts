import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { RetryBudget } from '../../src/retry/retry-budget.js';

function spend(budget: RetryBudget): number {
  let granted = 0;
  while (granted < 10_000 && budget.tryWithdraw()) granted++;
  return granted;
}

describe('RetryBudget', () => {
  it('allows ratio 0.2 of calls plus 10 per second over 10 s by default', () => {
    const budget = new RetryBudget({ clock: new ManualClock() });
    expect(budget.available).toBe(100);
    for (let i = 0; i < 50; i++) budget.recordRequest();
    expect(budget.available).toBe(110);
    expect(spend(budget)).toBe(110);
  });

  it('reports what is left, rounded down and never below 0', () => {
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, clock: new ManualClock() });
    for (let i = 0; i < 5; i++) budget.recordRequest();
    expect(budget.available).toBe(2);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.available).toBe(1);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.available).toBe(0);
    expect(budget.tryWithdraw()).toBe(false);
    expect(budget.available).toBe(0);
  });

  it('counts the floor over the window length', () => {
    const budget = new RetryBudget({
      ratio: 0,
      minPerSecond: 3,
      windowMs: 2_000,
      clock: new ManualClock(),
    });
    expect(budget.available).toBe(6);
  });

  it('lets each second of calls leave the window 10 s later, not sooner', () => {
    const clock = new ManualClock(1_500);
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, clock });
    for (let i = 0; i < 10; i++) budget.recordRequest();
    clock.advance(4_000); // second 5
    for (let i = 0; i < 20; i++) budget.recordRequest();
    expect(budget.available).toBe(30);
    clock.advance(5_000); // second 10: second 1 is still in the window
    expect(budget.available).toBe(30);
    clock.advance(1_000); // second 11
    expect(budget.available).toBe(20);
    clock.advance(3_000); // second 14
    expect(budget.available).toBe(20);
    clock.advance(1_000); // second 15
    expect(budget.available).toBe(0);
  });

  it('gives spent retries back when their second leaves the window', () => {
    const clock = new ManualClock(3_000);
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 1, clock });
    expect(spend(budget)).toBe(10);
    clock.advance(9_999);
    expect(budget.available).toBe(0);
    clock.advance(1);
    expect(budget.available).toBe(10);
  });

  it('forgets everything after a pause longer than the window', () => {
    const clock = new ManualClock(2_000);
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 0, clock });
    for (let i = 0; i < 7; i++) budget.recordRequest();
    clock.advance(60_000);
    expect(budget.available).toBe(0);
  });

  it('works with a clock that reads below 0', () => {
    const clock = new ManualClock(-15_500);
    const budget = new RetryBudget({ ratio: 0.5, minPerSecond: 0, clock });
    for (let i = 0; i < 10; i++) budget.recordRequest();
    expect(spend(budget)).toBe(5);
    clock.advance(10_000);
    for (let i = 0; i < 4; i++) budget.recordRequest();
    expect(budget.available).toBe(2);
  });
});
