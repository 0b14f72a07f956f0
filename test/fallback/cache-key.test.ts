import { describe, expect, it } from 'vitest';
import {
  credentialNames,
  deriveCacheKey,
  deriveTextCacheKey,
} from '../../src/fallback/cache-key.js';

const bytes = (s: string) => Buffer.from(s);

describe('deriveCacheKey', () => {
  it('gives the same key for the same method, request and credentials', () => {
    const a = deriveCacheKey('/pkg.S/Get', bytes('id=1'), [['authorization', 'Bearer alice']]);
    const b = deriveCacheKey('/pkg.S/Get', bytes('id=1'), [['authorization', 'Bearer alice']]);
    expect(a).toBe(b);
  });

  it('gives different keys to different callers of the same request', () => {
    const alice = deriveCacheKey('/pkg.S/Get', bytes('id=1'), [['authorization', 'Bearer alice']]);
    const bob = deriveCacheKey('/pkg.S/Get', bytes('id=1'), [['authorization', 'Bearer bob']]);
    const nobody = deriveCacheKey('/pkg.S/Get', bytes('id=1'), []);
    expect(new Set([alice, bob, nobody]).size).toBe(3);
  });

  it('does not depend on the order credentials come in', () => {
    const a = deriveCacheKey('m', bytes('x'), [
      ['cookie', 'c'],
      ['authorization', 'a'],
    ]);
    const b = deriveCacheKey('m', bytes('x'), [
      ['authorization', 'a'],
      ['cookie', 'c'],
    ]);
    expect(a).toBe(b);
  });

  it('cannot be fooled by moving bytes between the method and the request', () => {
    expect(deriveCacheKey('ab', bytes('c'))).not.toBe(deriveCacheKey('a', bytes('bc')));
    expect(deriveCacheKey('m', bytes(''), [['authorization', 'xy']])).not.toBe(
      deriveCacheKey('m', bytes(''), [['authorizationx', 'y']]),
    );
  });

  it('keeps no raw credential in the key', () => {
    const key = deriveCacheKey('m', bytes('x'), [['authorization', 'Bearer secret-token']]);
    expect(key).not.toContain('secret');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('credentialNames', () => {
  it('adds keyMetadata, lower-cased and without duplicates, to the credential names', () => {
    expect(credentialNames(['X-Tenant', 'cookie'])).toEqual([
      'authorization',
      'cookie',
      'x-api-key',
      'x-tenant',
    ]);
  });
});

describe('deriveTextCacheKey', () => {
  it('gives one key per (method, text) pair, however the two are split', () => {
    const k = deriveTextCacheKey('getItem', '["a"]');
    expect(deriveTextCacheKey('getItem', '["a"]')).toBe(k);
    expect(deriveTextCacheKey('getItem', '["b"]')).not.toBe(k);
    expect(deriveTextCacheKey('ab', 'c')).not.toBe(deriveTextCacheKey('a', 'bc'));
    expect(deriveTextCacheKey('getItems', '["a"]')).not.toBe(k);
  });

  it('keeps no raw argument in the key', () => {
    const key = deriveTextCacheKey('login', '["secret-token"]');
    expect(key).not.toContain('secret');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
