import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  mergeMethodPolicy,
  resolveMethodPolicy,
  validateMethodPolicies,
  validateMethodPolicy,
  type MethodPolicy,
} from '../../src/registry/method-policy.js';

/** A failure validator that accepts strings, as an adapter's would accept its failure names. */
function failureName(f: unknown, path: string): string {
  if (typeof f !== 'string') throw new ConfigError(path, 'must be a failure name', f);
  return f;
}

const validate = (policy: unknown) => validateMethodPolicy(policy, 'p', failureName);

describe('validateMethodPolicy', () => {
  it('accepts every known option and returns a frozen copy holding each of them', () => {
    const classify = () => undefined;
    const input = {
      circuit: { openMs: 5 },
      failOn: ['a'],
      ignore: ['b'],
      classify,
      timeoutMs: 100,
      retry: { maxAttempts: 2 },
      fallback: { value: 1 },
      idempotent: false,
      hedging: { delayMs: 10 },
    };
    const out = validate(input);
    expect(out).toEqual({
      circuit: { openMs: 5 },
      failOn: ['a'],
      ignore: ['b'],
      classify,
      timeoutMs: 100,
      retry: { maxAttempts: 2 },
      fallback: { value: 1 },
      idempotent: false,
      hedging: { delayMs: 10 },
    });
    expect(Object.isFrozen(out)).toBe(true);
    expect(Object.isFrozen(out.circuit)).toBe(true);
    expect(Object.isFrozen(out.failOn)).toBe(true);
    expect(out.circuit).not.toBe(input.circuit);
  });

  it('returns an empty policy for an empty object', () => {
    expect(Object.keys(validate({}))).toEqual([]);
  });

  it('keeps idempotent: true', () => {
    expect(validate({ idempotent: true }).idempotent).toBe(true);
  });

  it('rejects an unknown option by its path', () => {
    expect(() => validate({ timeout: 1 })).toThrow('p.timeout is not a known option; got 1');
  });

  it('names the circuit path for an unknown circuit option and for an invalid one', () => {
    expect(() => validate({ circuit: { open: 1 } })).toThrow(
      'p.circuit.open is not a known option; got 1',
    );
    expect(() => validate({ circuit: { openMs: -1 } })).toThrow(
      'p.circuit.openMs must be a finite number > 0; got -1',
    );
  });

  it('rejects failOn and ignore that are not arrays, naming which', () => {
    expect(() => validate({ failOn: 'a' })).toThrow('p.failOn must be an array; got "a"');
    expect(() => validate({ ignore: 3 })).toThrow('p.ignore must be an array; got 3');
  });

  it('checks every failOn and ignore entry with its index in the path', () => {
    expect(() => validate({ failOn: ['a', 7] })).toThrow(
      'p.failOn[1] must be a failure name; got 7',
    );
    expect(() => validate({ ignore: [null] })).toThrow(
      'p.ignore[0] must be a failure name; got null',
    );
  });

  it('rejects a classify that is not a function', () => {
    expect(() => validate({ classify: 'x' })).toThrow('p.classify must be a function; got "x"');
  });

  it('names the path of an invalid timeoutMs, retry, fallback and hedging', () => {
    expect(() => validate({ timeoutMs: 0 })).toThrow(/^p\.timeoutMs must be a number of ms/);
    expect(() => validate({ retry: { maxAttempts: 0 } })).toThrow(
      'p.retry.maxAttempts must be an integer >= 1; got 0',
    );
    expect(() => validate({ fallback: { nope: 1 } })).toThrow(
      'p.fallback.nope is not a known option; got 1',
    );
    expect(() => validate({ hedging: { maxAttempts: 9 } })).toThrow(
      'p.hedging.maxAttempts must be at most 5; got 9',
    );
  });

  it('rejects an idempotent that is not a boolean', () => {
    expect(() => validate({ idempotent: 'yes' })).toThrow(
      'p.idempotent must be a boolean; got "yes"',
    );
  });
});

describe('validateMethodPolicies', () => {
  const validateAll = (methods: unknown) => validateMethodPolicies(methods, 'methods', failureName);

  it('returns an empty frozen map when there is no methods option', () => {
    const out = validateAll(undefined);
    expect(out).toEqual({});
    expect(Object.isFrozen(out)).toBe(true);
  });

  it('rejects a methods option that is not an object', () => {
    expect(() => validateAll([1])).toThrow('methods must be an object keyed by method; got [1]');
    expect(() => validateAll('x')).toThrow(ConfigError);
  });

  it('skips entries that are undefined and validates the others', () => {
    const out = validateAll({ a: undefined, b: { timeoutMs: 5 } });
    expect(Object.keys(out)).toEqual(['b']);
    expect(out.b).toEqual({ timeoutMs: 5 });
  });

  it('names the entry by its quoted key in an error', () => {
    expect(() => validateAll({ Get: { timeoutMs: -1 } })).toThrow(
      /^methods\["Get"\]\.timeoutMs must be a number of ms/,
    );
  });
});

describe('resolveMethodPolicy', () => {
  it('merges from the least specific key to the most specific over the defaults', () => {
    const methods = {
      '*': { timeoutMs: 1, idempotent: true },
      Get: { timeoutMs: 2 },
    };
    const out = resolveMethodPolicy(['Get', '*'], { timeoutMs: 0, failOn: ['x'] }, methods);
    expect(out).toEqual({ timeoutMs: 2, idempotent: true, failOn: ['x'] });
    expect(Object.isFrozen(out)).toBe(true);
  });

  it('returns the defaults when there is no methods map', () => {
    expect(resolveMethodPolicy(['Get'], { timeoutMs: 3 }, undefined)).toEqual({ timeoutMs: 3 });
    expect(resolveMethodPolicy(['Get'], undefined, undefined)).toEqual({});
  });

  it('looks up only the keys it is given (a method named "undefined" is not matched)', () => {
    const methods = { undefined: { idempotent: true }, Get: { timeoutMs: 2 } };
    expect(resolveMethodPolicy(['Get'], undefined, methods)).toEqual({ timeoutMs: 2 });
  });
});

describe('mergeMethodPolicy', () => {
  type P = MethodPolicy<string>;

  it('keeps the base fields the override does not set, or sets to undefined', () => {
    const out = mergeMethodPolicy<string>({ timeoutMs: 5, idempotent: true }, {
      timeoutMs: undefined,
      failOn: ['a'],
    } as P);
    expect(out).toEqual({ timeoutMs: 5, idempotent: true, failOn: ['a'] });
  });

  it('adds no circuit, retry or fallback that neither side has', () => {
    expect(Object.keys(mergeMethodPolicy<string>({ timeoutMs: 1 }, { idempotent: true }))).toEqual([
      'timeoutMs',
      'idempotent',
    ]);
  });

  it('merges circuit policies field by field when both sides have one, else keeps the one given', () => {
    const base: P = { circuit: { openMs: 5 } };
    const over: P = { circuit: { halfOpenProbes: 2 } };
    expect(mergeMethodPolicy(base, over).circuit).toEqual({ openMs: 5, halfOpenProbes: 2 });
    expect(mergeMethodPolicy(base, {}).circuit).toBe(base.circuit);
    expect(mergeMethodPolicy({}, over).circuit).toBe(over.circuit);
  });

  it('merges retry objects field by field, and lets retry: false replace one', () => {
    const base: P = { retry: { maxAttempts: 3, initialDelayMs: 7 } };
    const over: P = { retry: { maxAttempts: 2 } };
    expect(mergeMethodPolicy(base, over).retry).toEqual({ maxAttempts: 2, initialDelayMs: 7 });
    expect(mergeMethodPolicy(base, {}).retry).toBe(base.retry);
    expect(mergeMethodPolicy({}, over).retry).toBe(over.retry);
    expect(mergeMethodPolicy(base, { retry: false }).retry).toBe(false);
    expect(mergeMethodPolicy({ retry: false }, over).retry).toBe(over.retry);
  });

  it('merges fallbacks field by field and their caches field by field', () => {
    const base: P = { fallback: { value: 1, cache: { ttlMs: 5, maxEntries: 9 } } };
    const over: P = { fallback: { cache: { ttlMs: 6 } } };
    expect(mergeMethodPolicy(base, over).fallback).toEqual({
      value: 1,
      cache: { ttlMs: 6, maxEntries: 9 },
    });
    expect(mergeMethodPolicy(base, { fallback: { value: 2 } }).fallback).toEqual({
      value: 2,
      cache: { ttlMs: 5, maxEntries: 9 },
    });
    const valueOnly: P = { fallback: { value: 3 } };
    expect(mergeMethodPolicy(valueOnly, over).fallback).toEqual({ value: 3, cache: { ttlMs: 6 } });
    expect(mergeMethodPolicy(valueOnly, over).fallback?.cache).toBe(over.fallback?.cache);
    expect(mergeMethodPolicy(base, {}).fallback).toBe(base.fallback);
    expect(mergeMethodPolicy({}, over).fallback).toBe(over.fallback);
  });
});
