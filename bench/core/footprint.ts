/**
 * Footprint of many circuits of one contender, measured in a fresh process started by
 * core.bench.ts with --expose-gc: heap per circuit, active timers, and CPU used while idle.
 * Usage: node --expose-gc --import tsx bench/core/footprint.ts <contender> <count>
 */
import { circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import OpossumBreaker from 'opossum';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';

const [contender = 'empty', countArg = '0'] = process.argv.slice(2);
const count = Number(countArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

// Count timers created and not cleared (unref'd ones included, which getActiveResourcesInfo omits).
const liveTimers = new Set<unknown>();
for (const [create, clear] of [
  ['setTimeout', 'clearTimeout'],
  ['setInterval', 'clearInterval'],
] as const) {
  const original = globalThis[create] as (...a: unknown[]) => unknown;
  const originalClear = globalThis[clear] as (t: unknown) => void;
  (globalThis as Record<string, unknown>)[create] = (...args: unknown[]) => {
    const t = original(...args);
    if (create === 'setInterval') liveTimers.add(t);
    return t;
  };
  (globalThis as Record<string, unknown>)[clear] = (t: unknown) => {
    liveTimers.delete(t);
    originalClear(t);
  };
}

const fn = async () => 1;
const keep: unknown[] = [];

function settle() {
  for (let i = 0; i < 3; i++) gc!();
}

async function build(): Promise<() => void> {
  if (contender === 'rpc-breaker') {
    const registry = new CircuitRegistry({ maxCircuits: count });
    for (let i = 0; i < count; i++) await registry.get(`/pkg.Service/Method${i}`).execute(fn);
    keep.push(registry);
    return () => {};
  }
  if (contender === 'cockatiel') {
    for (let i = 0; i < count; i++) {
      const p = circuitBreaker(handleAll, {
        halfOpenAfter: 10_000,
        breaker: new ConsecutiveBreaker(5),
      });
      await p.execute(fn);
      keep.push(p);
    }
    return () => {};
  }
  if (contender === 'opossum') {
    const breakers: OpossumBreaker[] = [];
    for (let i = 0; i < count; i++) {
      const b = new OpossumBreaker(fn);
      await b.fire();
      breakers.push(b);
    }
    keep.push(breakers);
    return () => breakers.forEach((b) => b.shutdown());
  }
  return () => {};
}

settle();
const before = process.memoryUsage().heapUsed;
const stop = await build();
settle();
const after = process.memoryUsage().heapUsed;
const timers = liveTimers.size;
const idleMs = 2_000;
// Let the collector finish sweeping what building left behind before measuring rest.
await new Promise((r) => setTimeout(r, 1_000));
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, idleMs));
const cpu = process.cpuUsage(cpu0);
stop();
const idleCpuShare = (cpu.user + cpu.system) / 1_000 / idleMs;
process.stdout.write(
  JSON.stringify({
    contender,
    count,
    heapBytesPerCircuit: count ? (after - before) / count : 0,
    timers,
    idleCpuShare,
    kept: keep.length > 0,
  }),
);
process.exit(0);
