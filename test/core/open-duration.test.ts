import { describe, expect, it } from 'vitest';
import { openDurationMs } from '../../src/core/open-duration.js';

const backoff = { initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0 };

describe('openDurationMs', () => {
  it('grows by the multiplier per consecutive re-open, capped at maxMs', () => {
    expect(openDurationMs(backoff, 0)).toBe(1000);
    expect(openDurationMs(backoff, 1)).toBe(1000);
    expect(openDurationMs(backoff, 3)).toBe(4000);
    expect(openDurationMs(backoff, 10)).toBe(30_000);
  });

  it('shortens the open time by up to jitter of itself', () => {
    const jittered = { ...backoff, jitter: 0.5 };
    expect(openDurationMs(jittered, 1, () => 0.5)).toBe(750);
    expect(openDurationMs(jittered, 1, () => 0)).toBe(1000);
  });

  it('draws no random number when there is no jitter', () => {
    let draws = 0;
    const random = (): number => {
      draws++;
      return 0.5;
    };
    expect(openDurationMs(backoff, 2, random)).toBe(2000);
    expect(draws).toBe(0);
  });
});
