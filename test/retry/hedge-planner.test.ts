import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { HedgePlanner } from '../../src/retry/hedge-planner.js';

/** A percentile planner fed with `samples` in order. */
function fed(samples: number[], options: { percentile?: number; minDelayMs?: number } = {}) {
  const planner = new HedgePlanner(options, new ManualClock());
  for (const ms of samples) planner.recordLatency(ms);
  return planner;
}

const oneToTwenty = Array.from({ length: 20 }, (_, i) => i + 1);

describe('HedgePlanner', () => {
  it('sends 2 attempts in all by default and maxAttempts when given', () => {
    expect(new HedgePlanner({ delayMs: 5 }, new ManualClock()).maxAttempts).toBe(2);
    expect(new HedgePlanner({ delayMs: 5, maxAttempts: 4 }, new ManualClock()).maxAttempts).toBe(4);
  });

  it('uses a fixed delay whatever latencies it is shown', () => {
    const planner = new HedgePlanner({ delayMs: 7 }, new ManualClock());
    expect(planner.delayMs()).toBe(7);
    for (let i = 0; i < 100; i++) planner.recordLatency(500);
    expect(planner.delayMs()).toBe(7);
  });

  it('knows no percentile delay before 20 samples', () => {
    const planner = fed(oneToTwenty.slice(0, 19), { percentile: 0.5 });
    expect(planner.delayMs()).toBeUndefined();
    planner.recordLatency(20);
    expect(planner.delayMs()).toBe(11);
  });

  it('takes the 95th percentile by default', () => {
    expect(fed(oneToTwenty).delayMs()).toBe(20);
    expect(fed(oneToTwenty, { percentile: 0.9 }).delayMs()).toBe(19);
  });

  it('sorts the samples by value, not by arrival', () => {
    expect(fed([...oneToTwenty].reverse(), { percentile: 0.5 }).delayMs()).toBe(11);
    const mixed = [15, 3, 20, 1, 8, 12, 19, 2, 7, 11, 4, 18, 6, 14, 10, 5, 17, 9, 16, 13];
    expect(fed(mixed, { percentile: 0.75 }).delayMs()).toBe(16);
  });

  it('takes the largest sample when the percentile rounds past the end', () => {
    expect(fed(oneToTwenty, { percentile: 1 }).delayMs()).toBe(20);
  });

  it('never hedges sooner than minDelayMs (default 1)', () => {
    expect(fed(Array<number>(20).fill(0.25)).delayMs()).toBe(1);
    expect(fed(oneToTwenty, { minDelayMs: 30 }).delayMs()).toBe(30);
    expect(fed(oneToTwenty, { minDelayMs: 0, percentile: 0.5 }).delayMs()).toBe(11);
  });

  it('ignores negative and NaN latencies but counts 0', () => {
    const planner = fed(Array<number>(19).fill(10), { percentile: 0.5 });
    planner.recordLatency(Number.NaN);
    planner.recordLatency(-5);
    expect(planner.delayMs()).toBeUndefined();
    planner.recordLatency(0);
    expect(planner.delayMs()).toBe(10);
  });

  it('recomputes the percentile every 64 samples after the first 20', () => {
    const planner = fed(Array<number>(20).fill(10), { percentile: 0.5 });
    expect(planner.delayMs()).toBe(10);
    for (let i = 0; i < 63; i++) planner.recordLatency(1_000);
    expect(planner.delayMs()).toBe(10);
    planner.recordLatency(1_000);
    expect(planner.delayMs()).toBe(1_000);
    for (let i = 0; i < 64; i++) planner.recordLatency(3);
    // 148 samples: 20 × 10, 64 × 1,000, 64 × 3
    expect(planner.delayMs()).toBe(10);
  });

  it('keeps only the last 1,000 samples', () => {
    // recomputed at 20 + 64k samples: 2,004 = 1,000 old ones, then 1,004 new ones
    const planner = fed(Array<number>(1_000).fill(100), { percentile: 0.5 });
    for (let i = 0; i < 1_003; i++) planner.recordLatency(i % 2 === 0 ? 5 : 6);
    planner.recordLatency(2_000);
    // the window holds 501 × 5 (…), 498 × 6 and one 2,000: its median is 6
    expect(planner.delayMs()).toBe(6);
    expect(
      fed([...Array<number>(999).fill(100), ...Array<number>(1_005).fill(5)], {
        percentile: 0.99,
      }).delayMs(),
    ).toBe(5);
  });

  it('allows 10 hedges per 10 s with no traffic, plus 10 % of original calls, by default', () => {
    const planner = new HedgePlanner({ delayMs: 5 }, new ManualClock());
    let granted = 0;
    while (granted < 1_000 && planner.tryHedge()) granted++;
    expect(granted).toBe(10);
    for (let i = 0; i < 100; i++) planner.onOriginalCall();
    granted = 0;
    while (granted < 1_000 && planner.tryHedge()) granted++;
    expect(granted).toBe(10);
  });

  it('uses the budget given', () => {
    const planner = new HedgePlanner(
      { delayMs: 5, budget: { ratio: 0.5, minPerSecond: 0 } },
      new ManualClock(),
    );
    expect(planner.tryHedge()).toBe(false);
    for (let i = 0; i < 10; i++) planner.onOriginalCall();
    let granted = 0;
    while (granted < 1_000 && planner.tryHedge()) granted++;
    expect(granted).toBe(5);
    const floorOnly = new HedgePlanner(
      { delayMs: 5, budget: { ratio: 0, minPerSecond: 2 } },
      new ManualClock(),
    );
    for (let i = 0; i < 100; i++) floorOnly.onOriginalCall();
    granted = 0;
    while (granted < 1_000 && floorOnly.tryHedge()) granted++;
    expect(granted).toBe(20);
  });
});
