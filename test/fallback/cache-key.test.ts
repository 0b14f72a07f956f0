import { createHash } from 'node:crypto';
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

describe('deriveCacheKey encoding', () => {
  /** The documented input: every part length-prefixed (4 bytes, big-endian), names lower-cased. */
  function expected(parts: Array<string | Uint8Array>): string {
    const chunks = parts.flatMap((p) => {
      const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return [len, b];
    });
    return createHash('sha256').update(Buffer.concat(chunks)).digest('base64url');
  }

  it('hashes the method, the request and each credential, length-prefixed', () => {
    expect(deriveCacheKey('m', bytes('req'))).toBe(expected(['m', bytes('req')]));
    expect(deriveCacheKey('m', bytes('req'), [])).toBe(expected(['m', bytes('req')]));
    expect(deriveCacheKey('/p.S/Ünï', bytes('r'), [['Authorization', 'Bearer é']])).toBe(
      expected(['/p.S/Ünï', bytes('r'), 'authorization', 'Bearer é']),
    );
    expect(deriveCacheKey('m', bytes(''), [['x-bin', new Uint8Array([0, 255, 7])]])).toBe(
      expected(['m', bytes(''), 'x-bin', new Uint8Array([0, 255, 7])]),
    );
  });

  it('sorts credentials by name, keeping the order of values under one name', () => {
    const sorted: Array<[string, string]> = [
      ['a', '1'],
      ['b', '2'],
      ['b', '3'],
      ['c', '4'],
      ['d', '5'],
    ];
    const want = expected(['m', bytes('r'), ...sorted.flat()]);
    const orders = [
      [4, 3, 1, 2, 0],
      [3, 0, 4, 1, 2],
      [1, 2, 4, 0, 3],
      [0, 4, 1, 3, 2],
      [4, 1, 0, 2, 3],
      [3, 4, 1, 2, 0],
    ];
    for (const order of orders)
      expect(
        deriveCacheKey(
          'm',
          bytes('r'),
          order.map((i) => sorted[i]!),
        ),
      ).toBe(want);
  });
});

describe('credentialNames', () => {
  it('is the three credential names without keyMetadata', () => {
    expect(credentialNames()).toEqual(['authorization', 'cookie', 'x-api-key']);
  });

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
