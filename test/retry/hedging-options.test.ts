import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { validateHedgingOptions } from '../../src/retry/hedging-options.js';

const check = (o: unknown) => validateHedgingOptions(o, 'hedging');

describe('validateHedgingOptions', () => {
  it('accepts false', () => {
    expect(check(false)).toBe(false);
  });

  it('returns a frozen copy with every option given, budget frozen too', () => {
    const input = {
      maxAttempts: 3,
      percentile: 0.9,
      minDelayMs: 4,
      budget: { ratio: 0.3, minPerSecond: 2 },
    };
    const out = check(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.isFrozen(out && out.budget)).toBe(true);
    expect(check({ delayMs: 10 })).toStrictEqual({ delayMs: 10 });
  });

  it('accepts the bounds of each option', () => {
    expect(check({ delayMs: 0, maxAttempts: 2 })).toEqual({ delayMs: 0, maxAttempts: 2 });
    expect(check({ delayMs: 2 ** 31 - 1, maxAttempts: 5 })).toEqual({
      delayMs: 2 ** 31 - 1,
      maxAttempts: 5,
    });
    expect(check({ percentile: 0.5, minDelayMs: 0 })).toEqual({ percentile: 0.5, minDelayMs: 0 });
    expect(check({ percentile: 0.999, minDelayMs: 2 ** 31 - 1 })).toEqual({
      percentile: 0.999,
      minDelayMs: 2 ** 31 - 1,
    });
    expect(check({ delayMs: 1, budget: { ratio: 0, minPerSecond: 0 } })).toEqual({
      delayMs: 1,
      budget: { ratio: 0, minPerSecond: 0 },
    });
  });

  it('fills a partial budget with ratio 0.1 and minPerSecond 1', () => {
    expect(check({ delayMs: 1, budget: {} })).toEqual({
      delayMs: 1,
      budget: { ratio: 0.1, minPerSecond: 1 },
    });
    expect(check({ delayMs: 1, budget: { ratio: 0.5 } })).toEqual({
      delayMs: 1,
      budget: { ratio: 0.5, minPerSecond: 1 },
    });
    expect(check({ delayMs: 1, budget: { minPerSecond: 3 } })).toEqual({
      delayMs: 1,
      budget: { ratio: 0.1, minPerSecond: 3 },
    });
  });

  it.each([
    [true, 'hedging must be false or { maxAttempts?, delayMs | percentile, ... }; got true'],
    [null, 'hedging must be false or { maxAttempts?, delayMs | percentile, ... }; got null'],
    [{ delayMs: 1, delay: 2 }, 'hedging.delay is not a known option; got 2'],
    [{ delayMs: 1, maxAttempts: 1 }, 'hedging.maxAttempts must be an integer >= 2; got 1'],
    [{ delayMs: 1, maxAttempts: 6 }, 'hedging.maxAttempts must be at most 5; got 6'],
    [{ delayMs: 1, maxAttempts: 2.5 }, 'hedging.maxAttempts must be an integer >= 2; got 2.5'],
    [{}, 'hedging needs exactly one of delayMs and percentile; got {}'],
    [
      { maxAttempts: 3 },
      'hedging needs exactly one of delayMs and percentile; got {"maxAttempts":3}',
    ],
    [
      { delayMs: 1, percentile: 0.9 },
      'hedging needs exactly one of delayMs and percentile; got {"delayMs":1,"percentile":0.9}',
    ],
    [{ delayMs: -1 }, 'hedging.delayMs must be a finite number >= 0; got -1'],
    [{ delayMs: 2 ** 31 }, 'hedging.delayMs must be at most 2147483647; got 2147483648'],
    [{ percentile: 0.49 }, 'hedging.percentile must be in [0.5, 1); got 0.49'],
    [{ percentile: 1 }, 'hedging.percentile must be in [0.5, 1); got 1'],
    [{ percentile: Number.NaN }, 'hedging.percentile must be in [0.5, 1); got NaN'],
    [{ percentile: '0.9' }, 'hedging.percentile must be in [0.5, 1); got "0.9"'],
    [
      { percentile: 0.9, minDelayMs: -1 },
      'hedging.minDelayMs must be a finite number >= 0; got -1',
    ],
    [
      { percentile: 0.9, minDelayMs: 2 ** 31 },
      'hedging.minDelayMs must be at most 2147483647; got 2147483648',
    ],
    [{ delayMs: 1, budget: 3 }, 'hedging.budget must be an object; got 3'],
    [{ delayMs: 1, budget: { rate: 1 } }, 'hedging.budget.rate is not a known option; got 1'],
    [
      { delayMs: 1, budget: { ratio: -1 } },
      'hedging.budget.ratio must be a finite number >= 0; got -1',
    ],
    [
      { delayMs: 1, budget: { minPerSecond: -1 } },
      'hedging.budget.minPerSecond must be a finite number >= 0; got -1',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => check(options)).toThrow(ConfigError);
    expect(() => check(options)).toThrow(message);
  });
});
