import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ENTRIES,
  ENTRY_OVERHEAD_BYTES,
  LastKnownGoodCache,
} from '../../src/fallback/last-known-good.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('LastKnownGoodCache bounds', () => {
  it('serves an entry at ttlMs - 1, not at ttlMs, and drops it when looked up then', () => {
    const clock = new ManualClock();
    const cache = new LastKnownGoodCache<string>({ ttlMs: 100, clock });
    cache.set('k', 'v', 0);
    clock.advance(99);
    expect(cache.get('k')).toEqual({ value: 'v', ageMs: 99 });
    clock.advance(1);
    expect(cache.size).toBe(1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('starts no timer: an expired entry stays counted until it is looked up', () => {
    vi.useFakeTimers();
    const clock = new ManualClock();
    const cache = new LastKnownGoodCache<string>({ ttlMs: 100, clock });
    cache.set('k', 'v', 0);
    expect(vi.getTimerCount()).toBe(0);
    clock.advance(1_000);
    vi.advanceTimersByTime(1_000);
    expect(cache.size).toBe(1);
    expect(cache.get('k')).toBeUndefined();
  });

  it('counts the overhead, twice the key length and the size rounded up (never below 0)', () => {
    const cache = new LastKnownGoodCache<string>({ ttlMs: 100, clock: new ManualClock() });
    cache.set('ab', 'v', 10.2);
    expect(cache.bytes).toBe(ENTRY_OVERHEAD_BYTES + 4 + 11);
    cache.set('cd', 'v', -50);
    expect(cache.bytes).toBe(2 * ENTRY_OVERHEAD_BYTES + 8 + 11);
    cache.set('ab', 'w', 1);
    expect(cache.bytes).toBe(2 * ENTRY_OVERHEAD_BYTES + 8 + 1);
  });

  it('does not keep an entry larger than maxBytes, and drops the key’s older one', () => {
    const cache = new LastKnownGoodCache<string>({
      ttlMs: 100,
      maxBytes: 1_000,
      clock: new ManualClock(),
    });
    cache.set('k', 'small', 10);
    cache.set('other', 'x', 10);
    cache.set('k', 'huge', 1_000);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.get('other')?.value).toBe('x');
    expect(cache.size).toBe(1);
    // Exactly maxBytes fits.
    cache.set('k', 'fits', 1_000 - ENTRY_OVERHEAD_BYTES - 2);
    expect(cache.get('k')?.value).toBe('fits');
    expect(cache.bytes).toBe(1_000);
    expect(cache.get('other')).toBeUndefined();
  });

  it('defaults to 1,000 entries and 64 MiB', () => {
    expect(DEFAULT_MAX_ENTRIES).toBe(1_000);
    expect(DEFAULT_MAX_BYTES).toBe(64 * 1024 * 1024);
    const cache = new LastKnownGoodCache<number>({ ttlMs: 100, clock: new ManualClock() });
    for (let i = 0; i < 1_001; i++) cache.set(`k${i}`, i, 0);
    expect(cache.size).toBe(1_000);
    expect(cache.get('k0')).toBeUndefined();
    cache.set('big', 0, DEFAULT_MAX_BYTES - ENTRY_OVERHEAD_BYTES - 6);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(DEFAULT_MAX_BYTES);
  });

  it('clear() empties it', () => {
    const cache = new LastKnownGoodCache<number>({ ttlMs: 100, clock: new ManualClock() });
    cache.set('a', 1, 1);
    cache.set('b', 2, 1);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });
});
