import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/classify/call-context.js';
import { ManualClock } from '../../src/core/clock.js';
import { MethodFallback, createMethodFallback, withCause } from '../../src/fallback/fallback.js';
import { validateFallbackOptions } from '../../src/fallback/fallback-options.js';

const ctx: CallContext = {
  system: 'grpc',
  method: '/p.S/Get',
  circuit: '/p.S/Get',
  request: { id: 1 },
  metadata: {},
  attempt: 1,
};
const open = new Error('circuit open');

function fallback(options: unknown, clock = new ManualClock()) {
  return new MethodFallback(validateFallbackOptions(options, 'fallback'), clock);
}

describe('MethodFallback', () => {
  it('serves the cached response when the circuit rejects the call', () => {
    const f = fallback({ cache: { ttlMs: 1_000 } });
    f.remember('k', { name: 'cached' }, 20);
    expect(f.serve(ctx, 'open', 'k', open)).toEqual({
      kind: 'cache',
      value: { name: 'cached' },
      ageMs: 0,
    });
    expect(f.serve(ctx, 'open', 'other', open)).toBeUndefined();
  });

  it('serves nothing on a failed call unless serveOn is open-or-failure', () => {
    const strict = fallback({ cache: { ttlMs: 1_000 }, value: 'v' });
    strict.remember('k', 1, 1);
    expect(strict.serve(ctx, 'failure', 'k', new Error('x'))).toBeUndefined();
    const lenient = fallback({ cache: { ttlMs: 1_000, serveOn: 'open-or-failure' } });
    lenient.remember('k', 1, 1);
    expect(lenient.serve(ctx, 'failure', 'k', new Error('x'))).toMatchObject({
      kind: 'cache',
      value: 1,
    });
  });

  it('falls back to the value when the cache has nothing', () => {
    const f = fallback({ cache: { ttlMs: 1_000 }, value: { name: 'default' } });
    expect(f.serve(ctx, 'open', 'missing', open)).toEqual({
      kind: 'value',
      value: { name: 'default' },
    });
  });

  it('computes the value from the call context, sync or async', async () => {
    const sync = fallback({ value: (c: CallContext) => `sync ${c.method}` });
    await expect(sync.serve(ctx, 'open', undefined, open)).resolves.toEqual({
      kind: 'value',
      value: 'sync /p.S/Get',
    });
    const async = fallback({ value: async (c: CallContext) => `async ${c.attempt}` });
    await expect(async.serve(ctx, 'open', undefined, open)).resolves.toEqual({
      kind: 'value',
      value: 'async 1',
    });
  });

  it('surfaces the original error with the value function error as cause', async () => {
    const bug = new Error('fallback bug');
    const f = fallback({
      value: () => {
        throw bug;
      },
    });
    const original = new Error('UNAVAILABLE');
    const err = await Promise.resolve(f.serve(ctx, 'open', undefined, original)).catch(
      (e: unknown) => e,
    );
    expect(err).toBe(original);
    expect((err as Error).cause).toBe(bug);
    const rejecting = fallback({ value: async () => Promise.reject(bug) });
    const frozen = Object.freeze(new Error('frozen'));
    const err2 = (await Promise.resolve(rejecting.serve(ctx, 'open', undefined, frozen)).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err2.message).toBe('frozen');
    expect(err2.cause).toBe(bug);
  });

  it('expires cached answers after ttlMs', () => {
    const clock = new ManualClock();
    const f = fallback({ cache: { ttlMs: 100 } }, clock);
    f.remember('k', 1, 1);
    clock.advance(100);
    expect(f.serve(ctx, 'open', 'k', open)).toBeUndefined();
  });
});

describe('MethodFallback without a cache', () => {
  it('remembers nothing, counts 0, and serves the value for any key', () => {
    const f = fallback({ value: 'v' });
    expect(f.hasCache).toBe(false);
    f.remember('k', 1, 1);
    expect(f.cacheSize).toBe(0);
    expect(f.cacheBytes).toBe(0);
    expect(f.serve(ctx, 'open', 'k', open)).toEqual({ kind: 'value', value: 'v' });
  });

  it('serves a null value but not an undefined one', () => {
    expect(fallback({ value: null }).serve(ctx, 'open', undefined, open)).toEqual({
      kind: 'value',
      value: null,
    });
    const none = new MethodFallback({ value: undefined }, new ManualClock());
    expect(none.serve(ctx, 'open', undefined, open)).toBeUndefined();
  });
});

describe('MethodFallback settings', () => {
  it('counts the entries and bytes it caches', () => {
    const f = fallback({ cache: { ttlMs: 1_000 } });
    expect(f.hasCache).toBe(true);
    f.remember('k', 1, 10);
    expect(f.cacheSize).toBe(1);
    expect(f.cacheBytes).toBe(128 + 2 + 10);
  });

  it('caches replies over secure channels only with channelIdentity per-interceptor', () => {
    expect(
      fallback({ cache: { ttlMs: 1, channelIdentity: 'per-interceptor' } }).cachesSecureChannels,
    ).toBe(true);
    expect(fallback({ cache: { ttlMs: 1, channelIdentity: 'unknown' } }).cachesSecureChannels).toBe(
      false,
    );
    expect(fallback({ cache: { ttlMs: 1 } }).cachesSecureChannels).toBe(false);
    expect(fallback({ value: 1 }).cachesSecureChannels).toBe(false);
  });

  it('serves failures only with serveOn open-or-failure', () => {
    expect(fallback({ cache: { ttlMs: 1, serveOn: 'open-or-failure' } }).servesFailures).toBe(true);
    expect(fallback({ cache: { ttlMs: 1, serveOn: 'open' } }).servesFailures).toBe(false);
    expect(fallback({ value: 1 }).servesFailures).toBe(false);
    expect(fallback({ value: 1 }).serve(ctx, 'failure', undefined, open)).toBeUndefined();
  });

  it('keys the cache by the credential names and keyMetadata, frozen', () => {
    expect(fallback({ value: 1 }).credentialNames).toEqual([
      'authorization',
      'cookie',
      'x-api-key',
    ]);
    const f = fallback({ cache: { ttlMs: 1, keyMetadata: ['X-Tenant'] } });
    expect(f.credentialNames).toEqual(['authorization', 'cookie', 'x-api-key', 'x-tenant']);
    expect(Object.isFrozen(f.credentialNames)).toBe(true);
  });
});

describe('createMethodFallback', () => {
  const clock = new ManualClock();
  const opts = (o: unknown) => validateFallbackOptions(o, 'fallback');

  it('makes none without options', () => {
    expect(createMethodFallback(undefined, true, clock)).toBeUndefined();
  });

  it('keeps the cache of a method that is idempotent or not said to be otherwise', () => {
    expect(createMethodFallback(opts({ cache: { ttlMs: 1 } }), true, clock)?.hasCache).toBe(true);
    expect(createMethodFallback(opts({ cache: { ttlMs: 1 } }), undefined, clock)?.hasCache).toBe(
      true,
    );
  });

  it('drops the cache of a non-idempotent method, and the fallback when nothing is left', () => {
    expect(createMethodFallback(opts({ cache: { ttlMs: 1 } }), false, clock)).toBeUndefined();
    const f = createMethodFallback(opts({ cache: { ttlMs: 1 }, value: 'v' }), false, clock);
    expect(f?.hasCache).toBe(false);
    expect(f?.serve(ctx, 'open', 'k', open)).toEqual({ kind: 'value', value: 'v' });
    const valueOnly = createMethodFallback(opts({ value: 0 }), false, clock);
    expect(valueOnly?.serve(ctx, 'open', undefined, open)).toEqual({ kind: 'value', value: 0 });
    const nullValue = createMethodFallback(
      opts({ cache: { ttlMs: 1 }, value: null }),
      false,
      clock,
    );
    expect(nullValue?.hasCache).toBe(false);
  });
});

describe('withCause', () => {
  it('sets a hidden, writable cause on an error that can take one', () => {
    const original = new Error('down');
    const cause = new Error('bug');
    expect(withCause(original, cause)).toBe(original);
    expect(Object.getOwnPropertyDescriptor(original, 'cause')).toEqual({
      value: cause,
      configurable: true,
      writable: true,
      enumerable: false,
    });
  });

  it('wraps a frozen error, keeping it as original', () => {
    const original = Object.freeze(new Error('frozen'));
    const wrapped = withCause(original, 'bug') as Error & { original?: unknown };
    expect(wrapped).not.toBe(original);
    expect(wrapped.message).toBe('frozen');
    expect(wrapped.cause).toBe('bug');
    expect(wrapped.original).toBe(original);
  });

  it('wraps what is not an error, by its text and with no original', () => {
    const wrapped = withCause('UNAVAILABLE', 'bug');
    expect(wrapped).toBeInstanceOf(Error);
    expect(wrapped.message).toBe('UNAVAILABLE');
    expect(wrapped.cause).toBe('bug');
    expect(Object.hasOwn(wrapped, 'original')).toBe(false);
  });
});
