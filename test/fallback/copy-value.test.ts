import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { MAX_DEPTH, copyForCache, copyValue } from '../../src/fallback/copy-value.js';
import { LastKnownGoodCache } from '../../src/fallback/last-known-good.js';
import { genEs6, thrift } from '../thrift/helpers/generated.js';

setFlagsFromString('--expose-gc');
const rawGc = runInNewContext('gc') as () => void;
/** A full collection, then a pause: V8 frees array buffer memory on a background task. */
async function gc(): Promise<void> {
  rawGc();
  await new Promise((r) => setTimeout(r, 50));
  rawGc();
}
const MiB = 1 << 20;
const { Item } = genEs6.types;

describe('copies of cached values', () => {
  it('are deep: changing the copy changes nothing in the original, and back', () => {
    const original = {
      s: 'x',
      n: 1,
      list: [{ a: 1 }, [2, 3]],
      bin: Buffer.from('abc'),
      map: new Map([['k', { v: 1 }]]),
      set: new Set([1, 2]),
      when: new Date(5),
      u8: new Uint8Array([1, 2]),
    };
    const c = copyForCache(original)!.value as typeof original;
    expect(c).toEqual(original);
    (c.list[0] as { a: number }).a = 9;
    c.bin[0] = 0;
    c.map.get('k')!.v = 9;
    c.set.add(3);
    c.u8[0] = 9;
    expect(original.list[0]).toEqual({ a: 1 });
    expect(original.bin.toString()).toBe('abc');
    expect(original.map.get('k')).toEqual({ v: 1 });
    expect(original.set.size).toBe(2);
    expect(original.u8[0]).toBe(1);
    const again = copyValue(c) as typeof original;
    again.list.length = 0;
    expect(c.list).toHaveLength(2);
  });

  it('keeps classes: generated structs, node-int64, Buffers', () => {
    const item = new Item({ id: 'a', name: 'b', priceCents: 1, tags: ['t'] });
    const copy = copyValue(copyForCache(item)!.value) as typeof item;
    expect(copy).toBeInstanceOf(Item);
    expect(copy).not.toBe(item);
    expect({ ...copy }).toEqual({ ...item });
    const i64 = new thrift.Int64(1234567);
    const c64 = copyValue(i64) as typeof i64;
    expect(c64).toBeInstanceOf(thrift.Int64);
    expect(c64.toNumber()).toBe(1234567);
    expect(Buffer.isBuffer(copyValue(Buffer.from('x')))).toBe(true);
  });

  it('refuses what nests deeper than MAX_DEPTH, and cycles', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i <= MAX_DEPTH + 1; i++) deep = [deep];
    expect(copyForCache(deep)).toBeUndefined();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(copyForCache(cyclic)).toBeUndefined();
    expect(copyForCache({ a: [[['ok']]] })).toBeDefined();
  });
});

describe('the size counted for a cached value', () => {
  it('covers every value, whatever the shape (binaries, strings, numbers)', () => {
    const rows = Array.from({ length: 4 }, () => Buffer.alloc(MiB));
    const ids = Array.from({ length: 10_001 }, (_, i) => i);
    // The shape that defeated a walk stopping after 10,000 values (the ids came first).
    expect(copyForCache({ rows, ids })!.bytes).toBeGreaterThan(4 * MiB + 10_001 * 8);
    expect(copyForCache({ ids, rows })!.bytes).toBeGreaterThan(4 * MiB + 10_001 * 8);
    expect(copyForCache(['x'.repeat(MiB)])!.bytes).toBeGreaterThanOrEqual(2 * MiB);
    expect(copyForCache(new Array(100_000).fill(0))!.bytes).toBeGreaterThan(100_000 * 8);
  });

  it('keeps the cache under its byte bound: 60 replies of 4 MiB + 10,001 ids, 16 MiB bound', async () => {
    const cache = new LastKnownGoodCache<unknown>({
      ttlMs: 60_000,
      maxBytes: 16 * MiB,
      clock: new ManualClock(),
    });
    await gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let n = 0; n < 60; n++) {
      const reply = {
        ids: Array.from({ length: 10_001 }, (_, i) => i),
        rows: Array.from({ length: 4 }, () => Buffer.alloc(MiB, n)),
      };
      const copy = copyForCache(reply)!;
      cache.set(`k${n}`, copy.value, copy.bytes);
    }
    await gc();
    expect(cache.bytes).toBeLessThanOrEqual(16 * MiB);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * MiB);
    expect((cache.get('k59')!.value as { rows: Buffer[] }).rows[0]![0]).toBe(59);
  });
});

describe('copyForCache', () => {
  /** `n` arrays, each holding the next; the innermost at depth n − 1. */
  const nest = (n: number) => {
    let v: unknown = 'leaf';
    for (let i = 0; i < n; i++) v = [v];
    return v;
  };

  it(`copies a value nested exactly MAX_DEPTH deep and refuses one level more`, () => {
    expect(copyForCache(nest(MAX_DEPTH + 1))).toBeDefined();
    expect(copyForCache(nest(MAX_DEPTH + 2))).toBeUndefined();
  });

  it('lets an error other than nesting through', () => {
    const bad = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new RangeError('no');
      },
    });
    expect(() => copyForCache(bad)).toThrow(RangeError);
  });

  it('counts 16 bytes per number, 24 + 2 per character per string, nothing for the rest', () => {
    expect(copyForCache(5)).toEqual({ value: 5, bytes: 16 });
    expect(copyForCache(5n)).toEqual({ value: 5n, bytes: 16 });
    expect(copyForCache('ab')).toEqual({ value: 'ab', bytes: 28 });
    expect(copyForCache(null)).toEqual({ value: null, bytes: 0 });
    expect(copyForCache(true)).toEqual({ value: true, bytes: 0 });
    expect(copyForCache(undefined)).toEqual({ value: undefined, bytes: 0 });
    const fn = () => 1;
    const sym = Symbol('s');
    expect(copyForCache(fn)).toEqual({ value: fn, bytes: 0 });
    expect(copyForCache(sym)).toEqual({ value: sym, bytes: 0 });
  });

  it('counts containers: their header, a slot per item, and their items', () => {
    expect(copyForCache([1, 2])?.bytes).toBe(32 + 2 * 8 + 2 * 16);
    expect(
      copyForCache(
        new Map([
          ['k', 1],
          ['j', 2],
        ]),
      )?.bytes,
    ).toBe(32 + 2 * 40 + 2 * (26 + 16));
    expect(copyForCache(new Set([1, 2]))?.bytes).toBe(32 + 2 * 40 + 2 * 16);
    expect(copyForCache(new Date(1))?.bytes).toBe(32);
    expect(copyForCache({ a: 1, b: 'x' })?.bytes).toBe(32 + 2 * 16 + 16 + 26);
    expect(copyForCache(Buffer.from('abc'))?.bytes).toBe(96 + 3);
    expect(copyForCache(new Uint16Array(4))?.bytes).toBe(96 + 8);
  });

  it('copies a DataView over its own bytes only', () => {
    const memory = new Uint8Array([0, 0, 1, 2, 3, 4, 5, 6]);
    const view = new DataView(memory.buffer, 3, 3);
    const copied = copyForCache(view)?.value as DataView;
    expect(copied).toBeInstanceOf(DataView);
    expect(copied.byteLength).toBe(3);
    expect(copied.buffer.byteLength).toBe(3);
    expect([0, 1, 2].map((i) => copied.getUint8(i))).toEqual([2, 3, 4]);
    memory[3] = 9;
    expect(copied.getUint8(0)).toBe(2);
    expect((copyValue(view) as DataView).getUint8(0)).toBe(9);
  });
});
