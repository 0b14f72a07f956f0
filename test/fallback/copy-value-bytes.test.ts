import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, copyForCache, copyValue } from '../../src/fallback/copy-value.js';

/** Wraps `leaf` in `n` arrays. */
function nest(n: number, leaf: unknown = true): unknown {
  let v = leaf;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

describe('bytes counted per kind of value', () => {
  it('counts nothing for null, booleans, undefined, symbols and functions, and shares them', () => {
    const sym = Symbol('s');
    const fn = (): number => 1;
    for (const v of [null, true, false, undefined, sym, fn]) {
      expect(copyForCache(v)).toEqual({ value: v, bytes: 0 });
      expect(copyValue(v)).toBe(v);
    }
  });

  it('counts 16 per number and per bigint, 24 + 2 per character per string', () => {
    expect(copyForCache(7)).toEqual({ value: 7, bytes: 16 });
    expect(copyForCache(7n)).toEqual({ value: 7n, bytes: 16 });
    expect(copyForCache('abc')).toEqual({ value: 'abc', bytes: 30 });
  });

  it('counts 32 + 8 per slot for an array', () => {
    const c = copyForCache([true, false, null])!;
    expect(c.bytes).toBe(32 + 3 * 8);
    expect(c.value).toEqual([true, false, null]);
    expect(copyForCache([])!.bytes).toBe(32);
  });

  it('counts 32 + 40 per entry for a Map and for a Set', () => {
    const m = new Map<unknown, unknown>([
      [true, false],
      [false, null],
    ]);
    const cm = copyForCache(m)!;
    expect(cm.bytes).toBe(32 + 2 * 40);
    expect(cm.value).toBeInstanceOf(Map);
    expect([...(cm.value as Map<unknown, unknown>)]).toEqual([...m]);
    const s = new Set<unknown>([true, false]);
    const cs = copyForCache(s)!;
    expect(cs.bytes).toBe(32 + 2 * 40);
    expect(cs.value).toBeInstanceOf(Set);
    expect([...(cs.value as Set<unknown>)]).toEqual([true, false]);
  });

  it('counts 32 for a Date and copies its time', () => {
    const d = new Date(1234);
    const c = copyForCache(d)!;
    expect(c.bytes).toBe(32);
    expect(c.value).toBeInstanceOf(Date);
    expect(c.value).not.toBe(d);
    expect((c.value as Date).getTime()).toBe(1234);
  });

  it('counts 32 + 16 per own enumerable property for an object', () => {
    expect(copyForCache({ a: true, b: false, c: null })!.bytes).toBe(32 + 3 * 16);
    expect(copyForCache({})!.bytes).toBe(32);
    const nested = copyForCache({ a: [1], s: 'xy' })!;
    expect(nested.bytes).toBe(32 + 2 * 16 + (32 + 8 + 16) + (24 + 4));
  });

  it('counts 96 + its length for a binary', () => {
    expect(copyForCache(Buffer.alloc(10))!.bytes).toBe(106);
    expect(copyForCache(new Uint16Array(4))!.bytes).toBe(104);
    expect(copyForCache(new DataView(new ArrayBuffer(16), 4, 8))!.bytes).toBe(104);
  });

  it('copies a value without counting when not for the cache', () => {
    const v = { a: [1, 'x'], m: new Map([[1, new Set([2])]]), d: new Date(3) };
    const c = copyValue(v) as typeof v;
    expect(c).toEqual(v);
    expect(c.a).not.toBe(v.a);
    expect(c.m.get(1)).not.toBe(v.m.get(1));
  });
});

describe('copied objects', () => {
  it('keep a null prototype and a class prototype, own enumerable properties only', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.x = 1;
    const cb = copyForCache(bare)!.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(cb)).toBeNull();
    expect(cb.x).toBe(1);
    class P {
      y = 2;
      get twice(): number {
        return this.y * 2;
      }
    }
    const p = new P();
    Object.defineProperty(p, 'hidden', { value: 3, enumerable: false });
    const cp = copyValue(p) as P & { hidden?: number };
    expect(cp).toBeInstanceOf(P);
    expect(cp.twice).toBe(4);
    expect(cp.hidden).toBeUndefined();
    const plain = copyValue({ z: 1 }) as object;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
  });

  it('rethrow an error other than nesting (a throwing getter)', () => {
    const boom = new Error('getter');
    const v = {
      get bad(): never {
        throw boom;
      },
    };
    expect(() => copyForCache(v)).toThrow(boom);
    expect(() => copyForCache([v])).toThrow(boom);
  });
});

describe('binaries', () => {
  it('copies a DataView over its own window only, into memory of its own', () => {
    const buf = new ArrayBuffer(16);
    new Uint8Array(buf).set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const dv = new DataView(buf, 2, 5);
    for (const c of [copyForCache(dv)!.value, copyValue(dv)] as DataView[]) {
      expect(c).toBeInstanceOf(DataView);
      expect(c.buffer).not.toBe(buf);
      expect(c.byteOffset).toBe(0);
      expect(c.byteLength).toBe(5);
      expect(c.buffer.byteLength).toBe(5);
      expect([...new Uint8Array(c.buffer)]).toEqual([2, 3, 4, 5, 6]);
      c.setUint8(0, 99);
      expect(dv.getUint8(0)).toBe(2);
    }
  });

  it('copies typed arrays and Buffers byte by byte, keeping their class', () => {
    const f = new Float64Array([1.5, -2]);
    const cf = copyForCache(f)!.value as Float64Array;
    expect(cf).toBeInstanceOf(Float64Array);
    expect([...cf]).toEqual([1.5, -2]);
    cf[0] = 0;
    expect(f[0]).toBe(1.5);
    const b = Buffer.from('hello');
    for (const c of [copyForCache(b)!.value, copyValue(b)] as Buffer[]) {
      expect(Buffer.isBuffer(c)).toBe(true);
      expect(c.toString()).toBe('hello');
      c[0] = 0;
      expect(b.toString()).toBe('hello');
    }
  });
});

describe('MAX_DEPTH', () => {
  it('copies a value nested exactly MAX_DEPTH deep, refuses one level more', () => {
    // The outermost array is at depth 0: MAX_DEPTH + 1 arrays put the innermost at MAX_DEPTH.
    expect(copyForCache(nest(MAX_DEPTH + 1))).toBeDefined();
    expect(copyForCache(nest(MAX_DEPTH + 1))!.bytes).toBe((MAX_DEPTH + 1) * (32 + 8));
    expect(copyForCache(nest(MAX_DEPTH + 2))).toBeUndefined();
  });

  it('counts depth through objects, Maps and Sets too', () => {
    let o: unknown = true;
    for (let i = 0; i < MAX_DEPTH + 1; i++) o = { o };
    expect(copyForCache(o)).toBeDefined();
    expect(copyForCache({ o })).toBeUndefined();
    expect(copyForCache(new Map([[1, o]]))).toBeUndefined();
    expect(copyForCache(new Map([[o, 1]]))).toBeUndefined();
    expect(copyForCache(new Set([o]))).toBeUndefined();
  });
});
