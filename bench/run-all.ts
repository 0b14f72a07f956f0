/**
 * `npm run bench`: runs every benchmark, one process each (with --expose-gc for heap figures),
 * one after another so they do not compete for the CPU. Each prints its own tables and writes
 * bench/results/<name>.json. The resilience scenario has its own command: npm run bench:resilience.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir } from './harness.js';

const benches = [
  'core/core.bench.ts',
  'fallback/cache.bench.ts',
  'grpc/grpc.bench.ts',
  'grpc/picker-cost.ts',
  'hedging/hedging.bench.ts',
  'thrift/thrift.bench.ts',
  'redis/redis.bench.ts',
];
let failed = 0;
for (const b of benches) {
  const file = join(benchDir, b);
  if (!existsSync(file)) continue;
  console.log(`\n=== ${b} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    stdio: 'inherit',
    timeout: 300_000,
  });
  if (r.status !== 0) {
    failed++;
    console.error(`${b} failed (${r.status ?? r.signal})`);
  }
}
process.exit(failed ? 1 : 0);
