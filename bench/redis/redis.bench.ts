/**
 * Redis store benchmark. (1) Per-call cost of a closed circuit shared through Redis vs the
 * memory store — calls never touch Redis, so the ratio should be ~1 — for the default policy,
 * and for a failure-rate time window with `shareCounts` (where a call also bumps the batch's
 * counters). (2) How fast a transition reaches the rest of a 4-process fleet: one member trips
 * a fresh circuit, the others report when they adopt it (timestamps from performance.timeOrigin
 * + performance.now(), sub-millisecond and comparable between processes); p50/p99 over 100
 * trips. Starts its own redis-server on a free port; takes ~5 s.
 * Run: npx tsx bench/redis/redis.bench.ts
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CircuitPolicy } from '../../src/core/policy.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { RedisServer, redisAvailable } from '../../test/storage/redis/redis-server.js';
import { interleaved, isMain, median, percentile, saveResults, table } from '../harness.js';

const CALLS = 500_000;
const TRIPS = 100;
const TIME_WINDOW: CircuitPolicy = {
  trip: { failureRate: 0.5, minimumCalls: 20, windowMs: 10_000 },
};

/**
 * ns per tryAcquire + record on a closed circuit under `policy`, memory store vs Redis store
 * (with `shareCounts` when asked), in interleaved rounds.
 */
async function perCall(server: RedisServer, policy: CircuitPolicy, shareCounts: boolean) {
  const client = server.client();
  await new Promise((r) => (client.status === 'ready' ? r(null) : client.once('ready', r)));
  const stores = {
    memory: new MemoryStateStore(),
    redis: new RedisStateStore({ client, prefix: 'bench:', shareCounts }),
  };
  const circuits = {
    memory: new CircuitRegistry({ store: stores.memory, defaults: policy }).get('c'),
    redis: new CircuitRegistry({ store: stores.redis, defaults: policy }).get('c'),
  };
  const samples = await interleaved(['memory', 'redis'], 9, async (name) => {
    const c = circuits[name as 'memory' | 'redis'];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) c.tryAcquire()!.record('success');
    return Number(process.hrtime.bigint() - t0) / CALLS;
  });
  await stores.redis.close();
  client.disconnect();
  if (circuits.redis.state !== 'closed') throw new Error('the benchmark circuit left closed');
  const memoryNs = median(samples.memory!);
  const redisNs = median(samples.redis!);
  return { memoryNs, redisNs, ratio: redisNs / memoryNs };
}

async function propagation(server: RedisServer) {
  const script = fileURLToPath(new URL('./member.ts', import.meta.url));
  const members: ChildProcess[] = [];
  for (let i = 0; i < 4; i++) {
    const child = fork(script, [String(server.port), 'prop:'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise((r) => child.once('message', r));
    members.push(child);
  }
  const latencies: number[] = [];
  try {
    for (let t = 0; t < TRIPS; t++) {
      const name = `circuit-${t}`;
      await Promise.all(
        members.map(
          (m) =>
            new Promise((r) => {
              m.once('message', r);
              m.send({ cmd: 'touch', name });
            }),
        ),
      );
      await new Promise((r) => setTimeout(r, 20)); // everyone has read the (empty) state
      const tripper = members[t % members.length]!;
      const others = members.filter((m) => m !== tripper);
      const adopted = others.map(
        (m) =>
          new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('not adopted within 2 s')), 2_000);
            const on = (msg: { adopted?: string; at: number }) => {
              if (msg.adopted !== name) return;
              clearTimeout(timer);
              m.off('message', on);
              resolve(msg.at);
            };
            m.on('message', on);
          }),
      );
      const trippedAt = await new Promise<number>((r) => {
        const on = (msg: { tripped?: string; at: number }) => {
          if (msg.tripped !== name) return;
          tripper.off('message', on);
          r(msg.at);
        };
        tripper.on('message', on);
        tripper.send({ cmd: 'trip', name });
      });
      for (const at of await Promise.all(adopted)) latencies.push(at - trippedAt);
    }
  } finally {
    for (const m of members) m.send({ cmd: 'exit' });
    await Promise.all(
      members.map((m) => (m.exitCode === null ? new Promise((r) => m.once('exit', r)) : null)),
    );
  }
  return {
    samples: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
  };
}

export async function main() {
  if (!redisAvailable) {
    console.log(
      'redis-server is not installed: the Redis benchmark is skipped (apt-get install redis-server)',
    );
    return undefined;
  }
  const server = await RedisServer.start();
  try {
    const calls = await perCall(server, {}, false);
    const windowed = await perCall(server, TIME_WINDOW, true);
    const prop = await propagation(server);
    console.log('\n## Redis store\n');
    const t1 = table(
      ['closed circuit, tryAcquire + record', 'ns per call', 'ratio'],
      [
        ['memory store', calls.memoryNs, '1.00×'],
        ['Redis store', calls.redisNs, `${calls.ratio.toFixed(2)}× (target ≤ 1.1×)`],
        ['failure-rate time window: memory store', windowed.memoryNs, '1.00×'],
        [
          'failure-rate time window: Redis store, shareCounts',
          windowed.redisNs,
          `${windowed.ratio.toFixed(2)}×`,
        ],
      ],
    );
    console.log('');
    const t2 = table(
      ['transition propagation, 4 processes', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
      [
        [
          'trip in one → adopted by the other three',
          prop.samples,
          prop.p50Ms,
          `${prop.p99Ms.toFixed(2)} (target < 50)`,
          prop.maxMs,
        ],
      ],
    );
    console.log(
      `\nRedis/memory per call: ${calls.ratio.toFixed(2)}× (default policy), ` +
        `${windowed.ratio.toFixed(2)}× (time window, shareCounts); ` +
        `propagation p50 ${prop.p50Ms.toFixed(2)} ms, p99 ${prop.p99Ms.toFixed(2)} ms`,
    );
    const result = {
      perCall: calls,
      ratio: calls.ratio,
      perCallSharedCounts: windowed,
      propagation: prop,
      tables: [t1, t2],
    };
    saveResults('redis', result);
    return result;
  } finally {
    await server.stop();
  }
}

if (isMain(import.meta.url)) {
  await main();
  process.exit(0);
}
