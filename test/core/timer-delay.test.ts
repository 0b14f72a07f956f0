import { describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/core/errors.js';
import { MAX_TIMER_DELAY_MS, requireTimerMs, timerDelayMs } from '../../src/core/timer-delay.js';

describe('timerDelayMs', () => {
  it('is 2^31 - 1 ms at most, the longest delay Node honours', () => {
    expect(MAX_TIMER_DELAY_MS).toBe(2147483647);
  });

  it('turns zero, negative numbers and NaN into 0', () => {
    expect(timerDelayMs(0)).toBe(0);
    expect(timerDelayMs(-5)).toBe(0);
    expect(timerDelayMs(Number.NaN)).toBe(0);
    expect(timerDelayMs(-Infinity)).toBe(0);
  });

  it('keeps a delay in range as it is', () => {
    expect(timerDelayMs(0.5)).toBe(0.5);
    expect(timerDelayMs(1)).toBe(1);
    expect(timerDelayMs(1000)).toBe(1000);
    expect(timerDelayMs(MAX_TIMER_DELAY_MS)).toBe(MAX_TIMER_DELAY_MS);
  });

  it('clamps a longer delay or Infinity to the maximum', () => {
    expect(timerDelayMs(MAX_TIMER_DELAY_MS + 1)).toBe(MAX_TIMER_DELAY_MS);
    expect(timerDelayMs(30 * 24 * 3600 * 1000)).toBe(MAX_TIMER_DELAY_MS);
    expect(timerDelayMs(Infinity)).toBe(MAX_TIMER_DELAY_MS);
  });
});

describe('requireTimerMs', () => {
  it('returns a number of ms in (0, max] unchanged', () => {
    expect(requireTimerMs(1, 'call.timeoutMs')).toBe(1);
    expect(requireTimerMs(0.25, 'call.timeoutMs')).toBe(0.25);
    expect(requireTimerMs(MAX_TIMER_DELAY_MS, 'call.timeoutMs')).toBe(MAX_TIMER_DELAY_MS);
  });

  it.each([
    [0, '0'],
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [MAX_TIMER_DELAY_MS + 1, String(MAX_TIMER_DELAY_MS + 1)],
    ['100', '"100"'],
    [undefined, 'undefined'],
  ])('rejects %s with a ConfigError naming the path and the value', (v, shown) => {
    let caught: unknown;
    try {
      requireTimerMs(v, 'call.timeoutMs');
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      `call.timeoutMs must be a number of ms in (0, 2147483647]; got ${shown}`,
    );
    expect((caught as { path: string }).path).toBe('call.timeoutMs');
  });
});
