/** Entries that ask to repeat a method that is not safe to repeat. */
import { describe, expect, it, vi } from 'vitest';
import {
  rejectRepeatsOfUnsafeMethods,
  type MethodPolicy,
} from '../../src/registry/method-policy.js';

describe('rejectRepeatsOfUnsafeMethods', () => {
  const fix = (key: string) => `mark ${key} idempotent`;
  const run = (
    entries: Array<[string, MethodPolicy<string>]>,
    why = 'that may have side effects',
  ) => rejectRepeatsOfUnsafeMethods(entries, () => why, fix);

  it('rejects a retry of more than one attempt with the path, reason and advice', () => {
    const retry = { maxAttempts: 2 };
    expect(() => run([['Pay', { retry }]])).toThrow(
      'methods["Pay"].retry asks to retry a method that may have side effects; mark Pay ' +
        'idempotent; got {"maxAttempts":2}',
    );
  });

  it('allows maxAttempts 1 and retry: false, which ask for no retry', () => {
    expect(() => run([['Pay', { retry: { maxAttempts: 1 } }]])).not.toThrow();
    expect(() => run([['Pay', { retry: false }]])).not.toThrow();
  });

  it('rejects hedging, before a retry asked for in the same entry', () => {
    expect(() => run([['Pay', { hedging: { delayMs: 5 }, retry: { maxAttempts: 3 } }]])).toThrow(
      'methods["Pay"].hedging asks to hedge a method that may have side effects; mark Pay ' +
        'idempotent; got {"delayMs":5}',
    );
  });

  it('allows hedging: false', () => {
    expect(() => run([['Pay', { hedging: false }]])).not.toThrow();
  });

  it('takes a null retry or hedging (never validated) as asking for nothing', () => {
    expect(() => run([['Pay', { retry: null, hedging: null } as never]])).not.toThrow();
  });

  it('rejects a fallback cache, after a retry asked for in the same entry', () => {
    expect(() => run([['Pay', { fallback: { cache: { ttlMs: 5 } } }]])).toThrow(
      'methods["Pay"].fallback.cache asks to answer from a cache a method that may have side ' +
        'effects; mark Pay idempotent; got {"ttlMs":5}',
    );
    expect(() =>
      run([['Pay', { retry: { maxAttempts: 2 }, fallback: { cache: { ttlMs: 5 } } }]]),
    ).toThrow(/^methods\["Pay"\]\.retry asks to retry/);
  });

  it('allows a value fallback and an entry asking nothing, without asking whether it is safe', () => {
    const unsafe = vi.fn(() => 'that may have side effects');
    expect(() =>
      rejectRepeatsOfUnsafeMethods(
        [
          ['A', { fallback: { value: 1 } }],
          ['B', { timeoutMs: 5 }],
        ],
        unsafe,
        fix,
      ),
    ).not.toThrow();
    expect(unsafe).not.toHaveBeenCalled();
  });

  it('allows every repeat for a method that is safe, and goes on to the next entry', () => {
    const unsafe = vi.fn((key: string) => (key === 'Pay' ? 'that pays' : undefined));
    const entries: Array<[string, MethodPolicy<string>]> = [
      ['Get', { retry: { maxAttempts: 3 }, hedging: { delayMs: 1 } }],
      ['List', { fallback: { cache: { ttlMs: 1 } } }],
      ['Pay', { retry: { maxAttempts: 3 } }],
    ];
    expect(() => rejectRepeatsOfUnsafeMethods(entries, unsafe, fix)).toThrow(
      'methods["Pay"].retry asks to retry a method that pays; mark Pay idempotent; got',
    );
    expect(unsafe.mock.calls).toEqual([['Get'], ['List'], ['Pay']]);
  });
});
