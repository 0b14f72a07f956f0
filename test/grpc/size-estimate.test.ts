import { describe, expect, it } from 'vitest';
import { MAX_NODES, approximateSize } from '../../src/grpc/size-estimate.js';

describe('approximateSize', () => {
  it('grows with string and buffer lengths and counts numbers and fields', () => {
    expect(approximateSize({ a: 'x'.repeat(100) })).toBeGreaterThanOrEqual(100);
    expect(approximateSize({ b: Buffer.alloc(1_000) })).toBeGreaterThanOrEqual(1_000);
    expect(approximateSize({ n: 1, m: 2 })).toBeGreaterThanOrEqual(16);
    expect(approximateSize([{ s: 'abc' }, { s: 'def' }])).toBeGreaterThan(
      approximateSize([{ s: 'abc' }]),
    );
  });

  it('is at least 1, even for null', () => {
    expect(approximateSize(null)).toBe(1);
    expect(approximateSize({})).toBe(1);
  });

  it('stops after a bounded number of values', () => {
    const huge = Array.from({ length: MAX_NODES * 3 }, () => 1);
    const t0 = performance.now();
    const size = approximateSize(huge);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(size).toBeLessThanOrEqual(MAX_NODES * 8 + 2);
  });
});
