import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_METADATA,
  credentialNames,
  deriveCacheKey,
  deriveTextCacheKey,
} from '../../src/fallback/cache-key.js';

/** The documented encoding, written out independently: every part as u32 BE length + bytes. */
function reference(method: string, request: Uint8Array, creds: [string, string | Uint8Array][]) {
  const parts: Buffer[] = [];
  const put = (v: string | Uint8Array) => {
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  put(method);
  put(request);
  for (const [name, value] of creds) {
    put(name.toLowerCase());
    put(value);
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest('base64url');
}

const req = Buffer.from([0, 1, 2, 255]);

describe('deriveCacheKey encoding', () => {
  it('hashes the length-prefixed method and request, no credentials by default', () => {
    expect(deriveCacheKey('/pkg.S/Get', req)).toBe(reference('/pkg.S/Get', req, []));
    expect(deriveCacheKey('/pkg.S/Get', req, [])).toBe(deriveCacheKey('/pkg.S/Get', req));
    expect(deriveCacheKey('', new Uint8Array(0))).toBe(reference('', new Uint8Array(0), []));
  });

  it('counts multi-byte characters as their UTF-8 bytes (method, name and value)', () => {
    const creds: [string, string][] = [['authorization', 'Bearer é€😀']];
    expect(deriveCacheKey('/pkg.Sé/Get€', req, creds)).toBe(reference('/pkg.Sé/Get€', req, creds));
  });

  it('takes binary credential values as their bytes', () => {
    const creds: [string, Uint8Array][] = [['x-token-bin', new Uint8Array([9, 8, 7, 200])]];
    expect(deriveCacheKey('m', req, creds)).toBe(reference('m', req, creds));
    expect(deriveCacheKey('m', req, creds)).not.toBe(
      deriveCacheKey('m', req, [['x-token-bin', '\x09\x08\x07\xc8']]),
    );
  });

  it('lower-cases credential names', () => {
    const key = deriveCacheKey('m', req, [['Authorization', 'a']]);
    expect(key).toBe(reference('m', req, [['authorization', 'a']]));
    expect(key).toBe(deriveCacheKey('m', req, [['authorization', 'a']]));
  });

  it('sorts several credentials by name, keeping the order of values of one name', () => {
    const given: [string, string][] = [
      ['x-api-key', 'k'],
      ['cookie', 'c2'],
      ['authorization', 'a'],
      ['cookie', 'c1'],
    ];
    const sorted: [string, string][] = [
      ['authorization', 'a'],
      ['cookie', 'c2'],
      ['cookie', 'c1'],
      ['x-api-key', 'k'],
    ];
    expect(deriveCacheKey('m', req, given)).toBe(reference('m', req, sorted));
    expect(deriveCacheKey('m', req, sorted)).toBe(reference('m', req, sorted));
    expect(
      deriveCacheKey('m', req, [
        ['cookie', 'b'],
        ['cookie', 'a'],
      ]),
    ).toBe(
      reference('m', req, [
        ['cookie', 'b'],
        ['cookie', 'a'],
      ]),
    );
    expect(given[0]).toEqual(['x-api-key', 'k']);
  });

  it('gives a single credential its place after the request', () => {
    const creds: [string, string][] = [['cookie', 'c']];
    expect(deriveCacheKey('m', req, creds)).toBe(reference('m', req, creds));
  });
});

describe('credentialNames defaults', () => {
  it('is the three credential names without keyMetadata or with an empty list', () => {
    expect(credentialNames()).toEqual(['authorization', 'cookie', 'x-api-key']);
    expect(credentialNames([])).toEqual([...CREDENTIAL_METADATA]);
    expect(Object.isFrozen(CREDENTIAL_METADATA)).toBe(true);
  });
});

describe('deriveTextCacheKey encoding', () => {
  it('is SHA-256 of "<method length>:<method><text>" in base64url', () => {
    const expected = createHash('sha256').update('7:getItem["é"]', 'utf8').digest('base64url');
    expect(deriveTextCacheKey('getItem', '["é"]')).toBe(expected);
  });
});
