/**
 * Fallback cache benchmark: cost of a cache hit and a miss (key derivation over a ~100-byte
 * request included) and heap per cached entry.
 * Run: npx tsx bench/fallback/cache.bench.ts   (heap figures need node --expose-gc; run-all does it)
 */
import { systemClock } from '../../src/core/clock.js';
import {
  deriveCacheKey,
  MethodFallback,
  validateFallbackOptions,
} from '../../src/fallback/index.js';
import type { CallContext } from '../../src/classify/call-context.js';
import { interleaved, isMain, median, saveResults, table } from '../harness.js';

const N = 200_000;
const request = Buffer.alloc(100, 7);
const creds = [['authorization', 'Bearer 0123456789abcdef'] as const];
const ctx: CallContext = {
  system: 'grpc',
  method: '/p.S/Get',
  circuit: '/p.S/Get',
  request: {},
  metadata: {},
  attempt: 1,
};
const open = new Error('open');

function heapPerEntry(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  const entries = 10_000;
  gc();
  const before = process.memoryUsage().heapUsed;
  const f = new MethodFallback(
    validateFallbackOptions({ cache: { ttlMs: 60_000, maxEntries: entries } }, 'fallback'),
    systemClock,
  );
  for (let i = 0; i < entries; i++) {
    request.writeUInt32BE(i, 0);
    f.remember(deriveCacheKey('/p.S/Get', request, creds), { id: i, name: 'entry' }, 40);
  }
  gc();
  const per = (process.memoryUsage().heapUsed - before) / entries;
  return f.cacheSize === entries ? per : null;
}

export async function main() {
  const f = new MethodFallback(
    validateFallbackOptions({ cache: { ttlMs: 60_000, maxEntries: 1_000 } }, 'fallback'),
    systemClock,
  );
  const hitKey = deriveCacheKey('/p.S/Get', request, creds);
  f.remember(hitKey, { id: 1 }, 40);
  const ops: Record<string, () => void> = {
    'key derivation (100-byte request + credential)': () =>
      void deriveCacheKey('/p.S/Get', request, creds),
    'cache hit (key + lookup)': () =>
      void f.serve(ctx, 'open', deriveCacheKey('/p.S/Get', request, creds), open),
    'cache miss (key + lookup)': () => {
      request[99] = (request[99]! + 1) & 0xff;
      void f.serve(ctx, 'open', deriveCacheKey('/p.S/Get', request, creds), open);
      request[99] = 7;
    },
    'remember (key + store)': () =>
      f.remember(deriveCacheKey('/p.S/Get', request, creds), { id: 1 }, 40),
  };
  const samples = await interleaved(Object.keys(ops), 5, async (name) => {
    const op = ops[name]!;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) op();
    return Number(process.hrtime.bigint() - t0) / N;
  });
  console.log('\n## Fallback cache\n');
  const rows = Object.keys(ops).map((n) => ({ op: n, nsPerOp: median(samples[n]!) }));
  const heap = heapPerEntry();
  const text = table(
    ['operation', 'ns per op'],
    rows.map((r) => [r.op, r.nsPerOp]),
  );
  console.log(
    heap === null
      ? '\nheap per entry: run with node --expose-gc to measure'
      : `\nheap per cached entry (10,000 entries, small message): ${heap.toFixed(0)} bytes`,
  );
  const result = { ops: rows, heapBytesPerEntry: heap, tables: [text] };
  saveResults('fallback', result);
  return result;
}

if (isMain(import.meta.url)) await main();
