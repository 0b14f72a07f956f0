import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { validateRetryOptions } from '../../src/retry/retry-options.js';

const check = (o: unknown) => validateRetryOptions(o, 'retry');

describe('validateRetryOptions', () => {
  it('returns a frozen copy with every option given, budget frozen too', () => {
    const input = {
      maxAttempts: 3,
      initialDelayMs: 10,
      maxDelayMs: 10,
      budget: { ratio: 0, minPerSecond: 0 },
    };
    const out = check(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.isFrozen(out && out.budget)).toBe(true);
    expect(check({ maxAttempts: 1 })).toStrictEqual({ maxAttempts: 1 });
  });

  it('accepts delays of 0 and either bound alone', () => {
    expect(check({ maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 })).toEqual({
      maxAttempts: 2,
      initialDelayMs: 0,
      maxDelayMs: 0,
    });
    expect(check({ maxAttempts: 2, maxDelayMs: 1 })).toEqual({ maxAttempts: 2, maxDelayMs: 1 });
    expect(check({ maxAttempts: 2, initialDelayMs: 9e9 })).toEqual({
      maxAttempts: 2,
      initialDelayMs: 9e9,
    });
  });

  it('fills a partial budget with ratio 0.2 and minPerSecond 10', () => {
    expect(check({ maxAttempts: 2, budget: {} })).toEqual({
      maxAttempts: 2,
      budget: { ratio: 0.2, minPerSecond: 10 },
    });
    expect(check({ maxAttempts: 2, budget: { ratio: 1 } })).toEqual({
      maxAttempts: 2,
      budget: { ratio: 1, minPerSecond: 10 },
    });
    expect(check({ maxAttempts: 2, budget: { minPerSecond: 1 } })).toEqual({
      maxAttempts: 2,
      budget: { ratio: 0.2, minPerSecond: 1 },
    });
  });

  it.each([
    [{}, 'retry.maxAttempts must be an integer >= 1; got undefined'],
    [{ maxAttempts: 2, maxDelayMs: -1 }, 'retry.maxDelayMs must be a finite number >= 0; got -1'],
    [
      { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 0 },
      'retry.maxDelayMs must be >= initialDelayMs (1); got 0',
    ],
    [{ maxAttempts: 2, budget: null }, 'retry.budget must be an object; got null'],
    [{ maxAttempts: 2, budget: [] }, 'retry.budget must be an object; got []'],
    [{ maxAttempts: 2, budget: { rate: 1 } }, 'retry.budget.rate is not a known option; got 1'],
    [
      { maxAttempts: 2, budget: { minPerSecond: -1 } },
      'retry.budget.minPerSecond must be a finite number >= 0; got -1',
    ],
  ])('rejects %j', (options, message) => {
    expect(() => check(options)).toThrow(ConfigError);
    expect(() => check(options)).toThrow(message);
  });
});
