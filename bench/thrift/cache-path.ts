/**
 * Where the Thrift cache's cost per successful call goes: each step of remembering a reply (the
 * argument text, the key digest, the private copy with its size, the store), timed alone over the
 * bench's `getItem('a')` reply. Run: npx tsx bench/thrift/cache-path.ts
 */
import { createRequire } from 'node:module';
import { serializeArgs } from '../../src/thrift/args-key.js';
import { deriveCacheKey, deriveTextCacheKey } from '../../src/fallback/cache-key.js';
import { copyForCache } from '../../src/fallback/copy-value.js';
import { createMethodFallback } from '../../src/fallback/index.js';
import { systemClock } from '../../src/core/clock.js';

const require = createRequire(import.meta.url);
const types =
  require('../../thrift/gen-es6/catalog_types.js') as typeof import('../../thrift/gen-es6/catalog_types.js');
const item = new types.Item({ id: 'a', name: 'apple', priceCents: 120, tags: ['fruit'] });
const args = ['a'];
const fallback = createMethodFallback(
  { cache: { ttlMs: 600_000, maxEntries: 1_000 } },
  true,
  systemClock,
)!;

const N = 200_000;
function time(name: string, fn: () => unknown): void {
  for (let i = 0; i < 20_000; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`${name.padEnd(40)} ${ns.toFixed(0)} ns`);
}
time('serializeArgs', () => serializeArgs(args));
time('serializeArgs + Buffer + deriveCacheKey (before)', () =>
  deriveCacheKey('getItem', Buffer.from(serializeArgs(args), 'utf8')),
);
time('serializeArgs + deriveTextCacheKey', () =>
  deriveTextCacheKey('getItem', serializeArgs(args)),
);
time('copyForCache(item)', () => copyForCache(item));
const key = deriveCacheKey('getItem', Buffer.from(serializeArgs(args), 'utf8'));
time('remember(key, copy)', () => fallback.remember(key, item, 200));
time('whole remember path', () => {
  const k = deriveTextCacheKey('getItem', serializeArgs(args));
  const c = copyForCache(item)!;
  fallback.remember(k, c.value, c.bytes);
});
