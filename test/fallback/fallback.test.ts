import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/classify/call-context.js';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import { MethodFallback } from '../../src/fallback/fallback.js';
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

describe('validateFallbackOptions', () => {
  it.each([
    [{ cache: { ttlMs: -1 } }, 'fallback.cache.ttlMs must be a finite number > 0; got -1'],
    [{ cache: {} }, 'fallback.cache.ttlMs must be a finite number > 0; got undefined'],
    [
      { cache: { ttlMs: 1, maxEntries: 0 } },
      'fallback.cache.maxEntries must be an integer >= 1; got 0',
    ],
    [
      { cache: { ttlMs: 1, serveOn: 'always' } },
      `fallback.cache.serveOn must be 'open' or 'open-or-failure'; got "always"`,
    ],
    [
      { cache: { ttlMs: 1, keyMetadata: 'x-user' } },
      'fallback.cache.keyMetadata must be an array of metadata names; got "x-user"',
    ],
    [
      { cache: { ttlMs: 1, keyMetadata: [''] } },
      'fallback.cache.keyMetadata[0] must be a non-empty string; got ""',
    ],
    [{ cach: {} }, 'fallback.cach is not a known option; got {}'],
    [7, 'fallback must be an object; got 7'],
  ])('rejects %j', (options, message) => {
    expect(() => validateFallbackOptions(options, 'fallback')).toThrow(ConfigError);
    expect(() => validateFallbackOptions(options, 'fallback')).toThrow(message);
  });

  it('returns a frozen copy and leaves the input alone', () => {
    const input = { cache: { ttlMs: 5, keyMetadata: ['x-tenant'] } };
    const out = validateFallbackOptions(input, 'fallback');
    expect(Object.isFrozen(out) && Object.isFrozen(out.cache)).toBe(true);
    expect(Object.isFrozen(input.cache)).toBe(false);
  });
});
