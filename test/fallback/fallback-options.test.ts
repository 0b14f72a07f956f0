import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { validateFallbackOptions } from '../../src/fallback/fallback-options.js';

/** The ConfigError thrown for `options` at path `p.fb`. */
function rejection(options: unknown): ConfigError {
  try {
    validateFallbackOptions(options, 'p.fb');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('accepted');
}

describe('validateFallbackOptions: exact errors', () => {
  it.each<[unknown, string]>([
    [null, 'p.fb must be an object; got null'],
    [[], 'p.fb must be an object; got []'],
    [{ other: 1 }, 'p.fb.other is not a known option; got 1'],
    [{ cache: 5 }, 'p.fb.cache must be an object; got 5'],
    [{ cache: null }, 'p.fb.cache must be an object; got null'],
    [{ cache: { ttlMs: 1, size: 1 } }, 'p.fb.cache.size is not a known option; got 1'],
    [{ cache: { ttlMs: 0 } }, 'p.fb.cache.ttlMs must be a finite number > 0; got 0'],
    [
      { cache: { ttlMs: 1, maxEntries: 1.5 } },
      'p.fb.cache.maxEntries must be an integer >= 1; got 1.5',
    ],
    [{ cache: { ttlMs: 1, maxBytes: 0 } }, 'p.fb.cache.maxBytes must be an integer >= 1; got 0'],
    [
      { cache: { ttlMs: 1, maxBytes: '1' } },
      'p.fb.cache.maxBytes must be an integer >= 1; got "1"',
    ],
    [
      { cache: { ttlMs: 1, channelIdentity: 'tls' } },
      `p.fb.cache.channelIdentity must be 'unknown' or 'per-interceptor'; got "tls"`,
    ],
    [
      { cache: { ttlMs: 1, channelIdentity: null } },
      `p.fb.cache.channelIdentity must be 'unknown' or 'per-interceptor'; got null`,
    ],
    [
      { cache: { ttlMs: 1, keyMetadata: { 0: 'x' } } },
      'p.fb.cache.keyMetadata must be an array of metadata names; got {"0":"x"}',
    ],
    [
      { cache: { ttlMs: 1, keyMetadata: ['ok', 5] } },
      'p.fb.cache.keyMetadata[1] must be a non-empty string; got 5',
    ],
    [
      { cache: { ttlMs: 1, keyMetadata: ['ok', ''] } },
      'p.fb.cache.keyMetadata[1] must be a non-empty string; got ""',
    ],
    [
      { cache: { ttlMs: 1, serveOn: 'failure' } },
      `p.fb.cache.serveOn must be 'open' or 'open-or-failure'; got "failure"`,
    ],
    [
      { cache: { ttlMs: 1, serveOn: null } },
      `p.fb.cache.serveOn must be 'open' or 'open-or-failure'; got null`,
    ],
  ])('rejects %j', (options, message) => {
    expect(rejection(options).message).toBe(message);
  });
});

describe('validateFallbackOptions: accepted values', () => {
  it('keeps every cache option given, frozen, and nothing else', () => {
    const keyMetadata = ['x-tenant', 'X-User'];
    const out = validateFallbackOptions(
      {
        cache: {
          ttlMs: 2.5,
          maxEntries: 3,
          maxBytes: 4096,
          channelIdentity: 'per-interceptor',
          keyMetadata,
          serveOn: 'open-or-failure',
        },
      },
      'p.fb',
    );
    expect(out).toEqual({
      cache: {
        ttlMs: 2.5,
        maxEntries: 3,
        maxBytes: 4096,
        channelIdentity: 'per-interceptor',
        keyMetadata: ['x-tenant', 'X-User'],
        serveOn: 'open-or-failure',
      },
    });
    expect(out.cache!.keyMetadata).not.toBe(keyMetadata);
    expect(Object.isFrozen(out.cache!.keyMetadata)).toBe(true);
    keyMetadata.push('later');
    expect(out.cache!.keyMetadata).toHaveLength(2);
    expect(Object.isFrozen(out)).toBe(true);
    expect('value' in out).toBe(false);
  });

  it('leaves unset cache options out', () => {
    const out = validateFallbackOptions({ cache: { ttlMs: 1 } }, 'p.fb');
    expect(out).toEqual({ cache: { ttlMs: 1 } });
    expect(Object.keys(out.cache!)).toEqual(['ttlMs']);
    expect(Object.isFrozen(out.cache)).toBe(true);
  });

  it.each(['unknown', 'per-interceptor'] as const)('accepts channelIdentity %s', (id) => {
    const out = validateFallbackOptions({ cache: { ttlMs: 1, channelIdentity: id } }, 'p.fb');
    expect(out.cache!.channelIdentity).toBe(id);
  });

  it.each(['open', 'open-or-failure'] as const)('accepts serveOn %s', (serveOn) => {
    const out = validateFallbackOptions({ cache: { ttlMs: 1, serveOn } }, 'p.fb');
    expect(out.cache!.serveOn).toBe(serveOn);
  });

  it('accepts an empty keyMetadata list', () => {
    const out = validateFallbackOptions({ cache: { ttlMs: 1, keyMetadata: [] } }, 'p.fb');
    expect(out.cache!.keyMetadata).toEqual([]);
  });

  it.each<[unknown]>([[null], [0], [false], [''], [{ a: 1 }], [() => 1]])(
    'keeps any defined value, %j included',
    (value) => {
      const out = validateFallbackOptions({ value }, 'p.fb');
      expect('value' in out).toBe(true);
      expect(out.value).toBe(value);
      expect('cache' in out).toBe(false);
    },
  );

  it('leaves out a value given as undefined, and a cache given as undefined', () => {
    const out = validateFallbackOptions({ value: undefined, cache: undefined }, 'p.fb');
    expect(out).toEqual({});
    expect('value' in out).toBe(false);
    expect('cache' in out).toBe(false);
  });
});
