/**
 * The last-known-good cache: the latest successful response per cache key, served while a
 * dependency is down. Bounded by entry count and by total bytes (least recently used out
 * first), entries expire after `ttlMs`. Built on `lru-cache`, with the circuit's `Clock` as its
 * time source and no timers (no autopurge, no TTL resolution timer).
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/clock.js';

/** Options of a `LastKnownGoodCache`. */
export interface LastKnownGoodOptions {
  /** How long an entry may be served, ms. */
  ttlMs: number;
  /** Most entries kept; default 1_000. */
  maxEntries?: number;
  /** Most bytes kept (sum of the sizes given to `set`); default 64 MiB. */
  maxBytes?: number;
  /** Time source for expiry. */
  clock: Clock;
}

/** A served entry: the value and how old it is. */
export interface CachedAnswer<V> {
  value: V;
  ageMs: number;
}

interface Entry<V> {
  value: V;
  storedAt: number;
}

export const DEFAULT_MAX_ENTRIES = 1_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/**
 * Bytes counted per entry on top of the size given to `set` and twice the key's length: the
 * entry object, the LRU's map slot and bookkeeping (measured ~230 bytes per small entry in
 * bench/fallback, key and value included).
 */
export const ENTRY_OVERHEAD_BYTES = 128;

export class LastKnownGoodCache<V> {
  private readonly lru: LRUCache<string, Entry<V>>;
  private readonly clock: Clock;
  private readonly ttlMs: number;

  constructor(options: LastKnownGoodOptions) {
    this.clock = options.clock;
    this.ttlMs = options.ttlMs;
    this.lru = new LRUCache<string, Entry<V>>({
      max: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
      maxSize: options.maxBytes ?? DEFAULT_MAX_BYTES,
      // Stryker disable next-line ArrowFunction: never called, `set` always passes a size
      sizeCalculation: () => 1,
      ttl: options.ttlMs,
      ttlResolution: 0,
      ttlAutopurge: false,
      // Stryker disable next-line BooleanLiteral: `get` refuses an entry at or past ttlMs itself
      allowStale: false,
      // Stryker disable next-line BooleanLiteral: `get` ages entries from storedAt, not the LRU's start
      updateAgeOnGet: false,
      // Stryker disable next-line ArrowFunction: LRU staleness (past ttl) is a subset of `get`'s own check
      perf: { now: () => this.clock.now() },
    });
  }

  /**
   * Remembers `value` under `key`; `sizeBytes`, plus the key and a fixed overhead per entry, counts
   * against `maxBytes`. An entry larger than `maxBytes` is not kept (and drops the key's older one);
   * so is one whose size is not a finite number (NaN, Infinity).
   */
  set(key: string, value: V, sizeBytes: number): void {
    const bytes = Number.isFinite(sizeBytes)
      ? Math.max(0, Math.ceil(sizeBytes))
      : Number.MAX_SAFE_INTEGER;
    const size = ENTRY_OVERHEAD_BYTES + 2 * key.length + bytes;
    this.lru.set(key, { value, storedAt: this.clock.now() }, { size });
  }

  /** The entry for `key` if it has not expired. */
  get(key: string): CachedAnswer<V> | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    const ageMs = this.clock.now() - e.storedAt;
    // lru-cache treats an entry as stale only past its TTL; an entry is served only before it.
    if (ageMs >= this.ttlMs) {
      this.lru.delete(key);
      return undefined;
    }
    return { value: e.value, ageMs };
  }

  /** Entries held (expired ones may count until they are looked up or pushed out). */
  get size(): number {
    return this.lru.size;
  }

  /** Total bytes held. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  clear(): void {
    this.lru.clear();
  }
}
