import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { validateFallbackOptions } from '../../src/fallback/fallback-options.js';

const check = (o: unknown) => validateFallbackOptions(o, 'fallback');

describe('validateFallbackOptions', () => {
  it('accepts every option and copies keyMetadata into a frozen array', () => {
    const keyMetadata = ['x-tenant'];
    const input = {
      cache: {
        ttlMs: 5,
        maxEntries: 1,
        maxBytes: 1,
        channelIdentity: 'per-interceptor',
        keyMetadata,
        serveOn: 'open-or-failure',
      },
      value: 'v',
    };
    const out = check(input);
    expect(out).toEqual(input);
    expect(out.cache?.keyMetadata).not.toBe(keyMetadata);
    expect(Object.isFrozen(out.cache?.keyMetadata)).toBe(true);
    expect(check({ cache: { ttlMs: 1, channelIdentity: 'unknown', serveOn: 'open' } })).toEqual({
      cache: { ttlMs: 1, channelIdentity: 'unknown', serveOn: 'open' },
    });
  });

  it('leaves out what was not given', () => {
    expect(check({})).toStrictEqual({});
    expect(check({ cache: { ttlMs: 1 } })).toStrictEqual({ cache: { ttlMs: 1 } });
    expect(Object.keys(check({ value: undefined }))).toEqual([]);
  });

  it('keeps falsy values other than undefined', () => {
    expect(check({ value: null })).toStrictEqual({ value: null });
    expect(check({ value: 0 })).toStrictEqual({ value: 0 });
    expect(check({ value: false })).toStrictEqual({ value: false });
  });

  it.each([
    [{ cache: 3 }, 'fallback.cache must be an object; got 3'],
    [{ cache: { ttlMs: 0 } }, 'fallback.cache.ttlMs must be a finite number > 0; got 0'],
    [{ cache: { ttlMs: 1, ttl: 2 } }, 'fallback.cache.ttl is not a known option; got 2'],
    [
      { cache: { ttlMs: 1, maxBytes: 1.5 } },
      'fallback.cache.maxBytes must be an integer >= 1; got 1.5',
    ],
    [
      { cache: { ttlMs: 1, channelIdentity: 'tls' } },
      `fallback.cache.channelIdentity must be 'unknown' or 'per-interceptor'; got "tls"`,
    ],
    [
      { cache: { ttlMs: 1, keyMetadata: ['x-a', 3] } },
      'fallback.cache.keyMetadata[1] must be a non-empty string; got 3',
    ],
    [
      { cache: { ttlMs: 1, keyMetadata: ['x-a', ''] } },
      'fallback.cache.keyMetadata[1] must be a non-empty string; got ""',
    ],
    [
      { cache: { ttlMs: 1, serveOn: 'failure' } },
      `fallback.cache.serveOn must be 'open' or 'open-or-failure'; got "failure"`,
    ],
  ])('rejects %j', (options, message) => {
    expect(() => check(options)).toThrow(ConfigError);
    expect(() => check(options)).toThrow(message);
  });
});

describe('validateFallbackOptions, first checks', () => {
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
    expect(() => check(options)).toThrow(ConfigError);
    expect(() => check(options)).toThrow(message);
  });

  it('returns a frozen copy and leaves the input alone', () => {
    const input = { cache: { ttlMs: 5, keyMetadata: ['x-tenant'] } };
    const out = check(input);
    expect(Object.isFrozen(out) && Object.isFrozen(out.cache)).toBe(true);
    expect(Object.isFrozen(input.cache)).toBe(false);
  });
});
