import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/classify/call-context.js';
import { ManualClock } from '../../src/core/clock.js';
import { CREDENTIAL_METADATA } from '../../src/fallback/cache-key.js';
import { validateFallbackOptions } from '../../src/fallback/fallback-options.js';
import { MethodFallback, createMethodFallback, withCause } from '../../src/fallback/fallback.js';

const ctx: CallContext = {
  system: 'thrift',
  method: 'getItem',
  circuit: 'getItem',
  request: ['a'],
  metadata: {},
  attempt: 2,
};
const open = new Error('circuit open');

function fallback(options: unknown, clock = new ManualClock()) {
  return new MethodFallback(validateFallbackOptions(options, 'fallback'), clock);
}

describe('MethodFallback flags', () => {
  it('reports hasCache, servesFailures and cachesSecureChannels from the options', () => {
    const none = fallback({ value: 1 });
    expect([none.hasCache, none.servesFailures, none.cachesSecureChannels]).toEqual([
      false,
      false,
      false,
    ]);
    const plain = fallback({ cache: { ttlMs: 1 } });
    expect([plain.hasCache, plain.servesFailures, plain.cachesSecureChannels]).toEqual([
      true,
      false,
      false,
    ]);
    const unknown = fallback({ cache: { ttlMs: 1, channelIdentity: 'unknown', serveOn: 'open' } });
    expect([unknown.cachesSecureChannels, unknown.servesFailures]).toEqual([false, false]);
    const all = fallback({
      cache: { ttlMs: 1, channelIdentity: 'per-interceptor', serveOn: 'open-or-failure' },
    });
    expect([all.hasCache, all.servesFailures, all.cachesSecureChannels]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('keys on the credential names plus keyMetadata, frozen', () => {
    expect(fallback({ value: 1 }).credentialNames).toEqual([...CREDENTIAL_METADATA]);
    const f = fallback({ cache: { ttlMs: 1, keyMetadata: ['X-Tenant'] } });
    expect(f.credentialNames).toEqual([...CREDENTIAL_METADATA, 'x-tenant']);
    expect(Object.isFrozen(f.credentialNames)).toBe(true);
  });

  it('counts cache entries and bytes, 0 without a cache', () => {
    const none = fallback({ value: 1 });
    none.remember('k', 1, 10);
    expect([none.cacheSize, none.cacheBytes]).toEqual([0, 0]);
    const f = fallback({ cache: { ttlMs: 1_000 } });
    expect([f.cacheSize, f.cacheBytes]).toEqual([0, 0]);
    f.remember('k', 1, 10);
    expect(f.cacheSize).toBe(1);
    expect(f.cacheBytes).toBeGreaterThan(10);
  });
});

describe('MethodFallback.serve order', () => {
  it('answers from the cache first, then the value; with no key only from the value', () => {
    const clock = new ManualClock();
    const f = fallback({ cache: { ttlMs: 1_000 }, value: 'static' }, clock);
    f.remember('k', 'cached', 1);
    clock.advance(7);
    expect(f.serve(ctx, 'open', 'k', open)).toEqual({ kind: 'cache', value: 'cached', ageMs: 7 });
    expect(f.serve(ctx, 'open', 'miss', open)).toEqual({ kind: 'value', value: 'static' });
    expect(f.serve(ctx, 'open', undefined, open)).toEqual({ kind: 'value', value: 'static' });
  });

  it('uses the value with a key but no cache', () => {
    const f = fallback({ value: 0 });
    expect(f.serve(ctx, 'open', 'k', open)).toEqual({ kind: 'value', value: 0 });
  });

  it('serves a falsy static value (null, false, 0, "")', () => {
    for (const value of [null, false, 0, '']) {
      expect(fallback({ value }).serve(ctx, 'open', undefined, open)).toEqual({
        kind: 'value',
        value,
      });
    }
  });

  it('answers nothing without a value, and for a value of undefined', () => {
    expect(fallback({ cache: { ttlMs: 1 } }).serve(ctx, 'open', 'k', open)).toBeUndefined();
    const raw = new MethodFallback({ value: undefined }, new ManualClock());
    expect(raw.serve(ctx, 'open', undefined, open)).toBeUndefined();
    expect(new MethodFallback({}, new ManualClock()).serve(ctx, 'open', 'k', open)).toBe(undefined);
  });

  it('answers a failed call only with serveOn open-or-failure, from the value too', async () => {
    const strict = fallback({ value: () => 'computed' });
    expect(strict.serve(ctx, 'failure', undefined, open)).toBeUndefined();
    const lenient = fallback({
      cache: { ttlMs: 1, serveOn: 'open-or-failure' },
      value: (c: CallContext) => c.attempt,
    });
    await expect(lenient.serve(ctx, 'failure', 'k', open)).resolves.toEqual({
      kind: 'value',
      value: 2,
    });
  });

  it('passes the call context to a value function, once per serve', async () => {
    const seen: CallContext[] = [];
    const f = fallback({
      value: (c: CallContext) => {
        seen.push(c);
        return Promise.resolve({ for: c.method });
      },
    });
    const served = f.serve(ctx, 'open', undefined, open);
    expect(served).toBeInstanceOf(Promise);
    await expect(served).resolves.toEqual({ kind: 'value', value: { for: 'getItem' } });
    expect(seen).toEqual([ctx]);
  });

  it('rejects with the original error, the function’s error as cause (sync throw or rejection)', async () => {
    const bug = new TypeError('bug');
    const original = new Error('UNAVAILABLE');
    const throwing = fallback({
      value: () => {
        throw bug;
      },
    });
    await expect(throwing.serve(ctx, 'open', undefined, original)).rejects.toBe(original);
    expect(original.cause).toBe(bug);
    const original2 = new Error('DEADLINE');
    const rejecting = fallback({ value: () => Promise.reject(bug) });
    await expect(rejecting.serve(ctx, 'open', undefined, original2)).rejects.toBe(original2);
    expect(original2.cause).toBe(bug);
  });
});

describe('withCause', () => {
  it('sets cause on the original as a hidden, writable, configurable property', () => {
    const original = new Error('o');
    const cause = new Error('c');
    expect(withCause(original, cause)).toBe(original);
    expect(Object.getOwnPropertyDescriptor(original, 'cause')).toEqual({
      value: cause,
      configurable: true,
      writable: true,
      enumerable: false,
    });
    expect(Object.keys(original)).not.toContain('cause');
    withCause(original, 'again');
    expect(original.cause).toBe('again');
  });

  it('wraps a frozen Error, keeping it as `original`', () => {
    const frozen = Object.freeze(new Error('frozen'));
    const w = withCause(frozen, 'c') as Error & { original?: unknown };
    expect(w).not.toBe(frozen);
    expect(w.message).toBe('frozen');
    expect(w.cause).toBe('c');
    expect(w.original).toBe(frozen);
  });

  it('wraps a non-Error as its string, without `original`', () => {
    const w = withCause('plain failure', 'c') as Error & { original?: unknown };
    expect(w).toBeInstanceOf(Error);
    expect(w.message).toBe('plain failure');
    expect(w.cause).toBe('c');
    expect('original' in w).toBe(false);
    expect(withCause(42, undefined).message).toBe('42');
  });
});

describe('createMethodFallback', () => {
  const clock = new ManualClock();

  it('is undefined without options', () => {
    expect(createMethodFallback(undefined, true, clock)).toBeUndefined();
    expect(createMethodFallback(undefined, false, clock)).toBeUndefined();
  });

  it('keeps the cache of an idempotent or unmarked method', () => {
    const options = validateFallbackOptions({ cache: { ttlMs: 1 } }, 'f');
    expect(createMethodFallback(options, true, clock)!.hasCache).toBe(true);
    expect(createMethodFallback(options, undefined, clock)!.hasCache).toBe(true);
  });

  it('drops the cache of a non-idempotent method, keeping its value', () => {
    const both = validateFallbackOptions({ cache: { ttlMs: 1 }, value: 'v' }, 'f');
    const f = createMethodFallback(both, false, clock)!;
    expect(f.hasCache).toBe(false);
    f.remember('k', 'cached', 1);
    expect(f.serve(ctx, 'open', 'k', open)).toEqual({ kind: 'value', value: 'v' });
    expect(both.cache).toBeDefined();
  });

  it('is undefined for a non-idempotent method with only a cache', () => {
    const cacheOnly = validateFallbackOptions({ cache: { ttlMs: 1 } }, 'f');
    expect(createMethodFallback(cacheOnly, false, clock)).toBeUndefined();
  });

  it('keeps a value-only fallback of a non-idempotent method as it is', () => {
    const valueOnly = validateFallbackOptions({ value: null }, 'f');
    const f = createMethodFallback(valueOnly, false, clock)!;
    expect(f).toBeInstanceOf(MethodFallback);
    expect(f.serve(ctx, 'open', undefined, open)).toEqual({ kind: 'value', value: null });
  });
});
