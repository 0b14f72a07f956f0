import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ENTRY_OVERHEAD_BYTES, LastKnownGoodCache } from '../../src/fallback/last-known-good.js';

describe('LastKnownGoodCache', () => {
  it('serves an entry with its age until ttlMs, then never again', () => {
    const clock = new ManualClock();
    const cache = new LastKnownGoodCache<string>({ ttlMs: 1_000, clock });
    cache.set('k', 'v', 10);
    clock.advance(400);
    expect(cache.get('k')).toEqual({ value: 'v', ageMs: 400 });
    clock.advance(600);
    expect(cache.get('k')).toBeUndefined();
  });

  it('keeps the latest response per key', () => {
    const clock = new ManualClock();
    const cache = new LastKnownGoodCache<number>({ ttlMs: 1_000, clock });
    cache.set('k', 1, 1);
    clock.advance(10);
    cache.set('k', 2, 1);
    expect(cache.get('k')).toEqual({ value: 2, ageMs: 0 });
  });

  it('evicts the least recently used entry past maxEntries', () => {
    const cache = new LastKnownGoodCache<number>({
      ttlMs: 1_000,
      maxEntries: 2,
      clock: new ManualClock(),
    });
    cache.set('a', 1, 1);
    cache.set('b', 2, 1);
    cache.get('a');
    cache.set('c', 3, 1);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.value).toBe(1);
    expect(cache.size).toBe(2);
  });

  it('stays within maxBytes', () => {
    const cache = new LastKnownGoodCache<string>({
      ttlMs: 1_000,
      maxBytes: 10_000,
      clock: new ManualClock(),
    });
    // Each entry counts its size, twice its 3-character key and the fixed overhead: 1,000 bytes.
    const size = 1_000 - ENTRY_OVERHEAD_BYTES - 6;
    for (let i = 0; i < 50; i++) cache.set(`k${String(i).padStart(2, '0')}`, 'x', size);
    expect(cache.bytes).toBe(10_000);
    expect(cache.size).toBe(10);
    expect(cache.get('k49')).toBeDefined();
  });

  it('stays at maxEntries under a flood of 1,000,000 distinct keys', () => {
    const cache = new LastKnownGoodCache<number>({
      ttlMs: 60_000,
      maxEntries: 10_000,
      clock: new ManualClock(),
    });
    for (let i = 0; i < 1_000_000; i++) cache.set(`key-${i}`, i, 16);
    expect(cache.size).toBe(10_000);
    expect(cache.get('key-999999')?.value).toBe(999_999);
    expect(cache.get('key-0')).toBeUndefined();
  });
});

describe('LastKnownGoodCache upkeep', () => {
  it('keeps no entry whose size is NaN or Infinity, and drops the older one', () => {
    const cache = new LastKnownGoodCache<string>({ ttlMs: 1_000, clock: new ManualClock() });
    for (const size of [Number.NaN, Number.POSITIVE_INFINITY]) {
      cache.set('k', 'old', 1);
      expect(() => cache.set('k', 'new', size)).not.toThrow();
      expect(cache.get('k')).toBeUndefined();
      expect(cache.size).toBe(0);
    }
    cache.set('k', 'v', -5);
    expect(cache.bytes).toBe(ENTRY_OVERHEAD_BYTES + 2);
  });

  it('forgets everything on clear()', () => {
    const cache = new LastKnownGoodCache<number>({ ttlMs: 1_000, clock: new ManualClock() });
    cache.set('a', 1, 1);
    cache.set('b', 2, 1);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });

  it('starts no timer', () => {
    vi.useFakeTimers();
    try {
      const cache = new LastKnownGoodCache<number>({ ttlMs: 1_000, clock: new ManualClock() });
      cache.set('a', 1, 1);
      cache.get('a');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
