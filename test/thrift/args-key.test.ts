import { describe, expect, it } from 'vitest';
import { serializeArgs } from '../../src/thrift/args-key.js';
import { genEs6, thrift } from './helpers/generated.js';

const { Item } = genEs6.types;

describe('canonical argument text for cache keys', () => {
  it('is the same for equal structs whatever order their fields were set in', () => {
    const a = new Item({ id: 'a', name: 'apple', priceCents: 1, tags: ['x'] });
    const b = { tags: ['x'], priceCents: 1, name: 'apple', id: 'a' };
    expect(serializeArgs([a])).toBe(serializeArgs([b]));
  });

  it('tells apart values JSON would confuse', () => {
    const texts = [
      [null],
      [undefined],
      [[]],
      [Buffer.from([1, 2])],
      [[1, 2]],
      ['1'],
      [1],
      [Number.NaN],
      [1n],
      [new Set(['a'])],
      [new Map([['a', 1]])],
      [{ a: 1 }],
      ['a', 'b'],
      ['a,"b"'],
    ].map((args) => serializeArgs(args));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('orders sets and maps, and reads i64 values by their bytes', () => {
    expect(serializeArgs([new Set(['b', 'a'])])).toBe(serializeArgs([new Set(['a', 'b'])]));
    expect(
      serializeArgs([
        new Map([
          ['b', 1],
          ['a', 2],
        ]),
      ]),
    ).toBe(
      serializeArgs([
        new Map([
          ['a', 2],
          ['b', 1],
        ]),
      ]),
    );
    const i64 = (n: number) => new thrift.Int64(n);
    expect(serializeArgs([i64(5)])).toBe(serializeArgs([i64(5)]));
    expect(serializeArgs([i64(5)])).not.toBe(serializeArgs([i64(6)]));
  });

  it('cuts a cycle instead of looping', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    expect(serializeArgs([o])).toContain('#cycle');
  });
});
