import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/core/clock.js';

describe('ManualClock', () => {
  it('starts at the given reading and moves only when advanced', () => {
    const clock = new ManualClock(500);
    expect(clock.now()).toBe(500);
    clock.advance(0);
    clock.advance(250);
    expect(clock.now()).toBe(750);
    expect(new ManualClock().now()).toBe(0);
  });

  it('refuses to go backwards or by NaN', () => {
    const clock = new ManualClock();
    expect(() => clock.advance(-1)).toThrow(
      new RangeError('ManualClock.advance(ms) needs ms >= 0; got -1'),
    );
    expect(() => clock.advance(Number.NaN)).toThrow(
      new RangeError('ManualClock.advance(ms) needs ms >= 0; got NaN'),
    );
    expect(clock.now()).toBe(0);
  });
});

describe('systemClock', () => {
  it('reads the monotonic performance clock', () => {
    const before = performance.now();
    const t = systemClock.now();
    expect(typeof t).toBe('number');
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(performance.now());
  });
});
