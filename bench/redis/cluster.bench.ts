/**
 * Redis Cluster benchmark, on a real 3-master cluster (1 replica each) started on free ports.
 * (1) Per-call cost of a closed circuit shared through the cluster vs through a single Redis
 * node (calls never touch Redis either way: target ≤ 1.1×), interleaved rounds. (2) How fast a
 * transition reaches the rest of a 4-process fleet whose clients start from different nodes:
 * one member trips a fresh circuit (names spread over every master's slots), the others report
 * when they adopt it; p50/p99 over 100 trips (target p99 < 50 ms). Takes ~10 s.
 * Run: npm run bench:redis-cluster (npx tsx bench/redis/cluster.bench.ts)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { RedisServer, redisAvailable } from '../../test/storage/redis/redis-server.js';
import { RedisClusterSet } from '../../test/storage/redis/redis-topology.js';
import { interleaved, isMain, median, percentile, saveResults, table } from '../harness.js';

const CALLS = 500_000;
const TRIPS = 100;

async function ready(client: Redis | Cluster): Promise<void> {
  if (client.status !== 'ready') await new Promise((r) => client.once('ready', r));
}

/** ns per tryAcquire + record on a closed circuit: single-node store vs Cluster store. */
async function perCall(server: RedisServer, cluster: RedisClusterSet) {
  const clients = { single: server.client(), cluster: cluster.client(0) };
  await Promise.all([ready(clients.single), ready(clients.cluster)]);
  const stores = {
    single: new RedisStateStore({ client: clients.single, prefix: 'bench:' }),
    cluster: new RedisStateStore({ client: clients.cluster, prefix: 'bench:' }),
  };
  const circuits = {
    single: new CircuitRegistry({ store: stores.single }).get('c'),
    cluster: new CircuitRegistry({ store: stores.cluster }).get('c'),
  };
  const samples = await interleaved(['single', 'cluster'], 9, async (name) => {
    const c = circuits[name as 'single' | 'cluster'];
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) c.tryAcquire()!.record('success');
    return Number(process.hrtime.bigint() - t0) / CALLS;
  });
  await Promise.all([stores.single.close(), stores.cluster.close()]);
  clients.single.disconnect();
  clients.cluster.disconnect();
  if (circuits.cluster.state !== 'closed') throw new Error('the benchmark circuit left closed');
  const singleNs = median(samples.single!);
  const clusterNs = median(samples.cluster!);
  return { singleNs, clusterNs, ratio: clusterNs / singleNs };
}

function waitFor<T>(m: ChildProcess, match: (msg: T) => boolean, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const on = (msg: T) => {
      if (!match(msg)) return;
      clearTimeout(timer);
      m.off('message', on);
      resolve(msg);
    };
    m.on('message', on);
  });
}

async function propagation(cluster: RedisClusterSet) {
  const script = fileURLToPath(new URL('./cluster-member.ts', import.meta.url));
  const ports = cluster.nodes.map((n) => n.port);
  const members: ChildProcess[] = [];
  const latencies: number[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const order = [...ports.slice(i), ...ports.slice(0, i)].join(',');
      const child = fork(script, [order, 'prop:'], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      members.push(child);
      await waitFor(child, () => true, 15_000);
    }
    for (let t = 0; t < TRIPS; t++) {
      const name = `circuit-${t}`;
      await Promise.all(
        members.map((m) => {
          const answered = waitFor(m, () => true, 2_000);
          m.send({ cmd: 'touch', name });
          return answered;
        }),
      );
      await new Promise((r) => setTimeout(r, 20)); // everyone has read the (empty) state
      const tripper = members[t % members.length]!;
      const adopted = members
        .filter((m) => m !== tripper)
        .map((m) => waitFor<{ adopted?: string; at: number }>(m, (x) => x.adopted === name, 2_000));
      const tripped = waitFor<{ tripped?: string; at: number }>(
        tripper,
        (x) => x.tripped === name,
        2_000,
      );
      tripper.send({ cmd: 'trip', name });
      const trippedAt = (await tripped).at;
      for (const a of await Promise.all(adopted)) latencies.push(a.at - trippedAt);
    }
  } finally {
    for (const m of members) if (m.connected) m.send({ cmd: 'exit' });
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
    console.log('redis-server is not installed: the Redis Cluster benchmark is skipped');
    return undefined;
  }
  const server = await RedisServer.start();
  const cluster = await RedisClusterSet.start();
  try {
    const calls = await perCall(server, cluster);
    const prop = await propagation(cluster);
    console.log('\n## Redis Cluster store (3 masters, 1 replica each)\n');
    const t1 = table(
      ['closed circuit, tryAcquire + record', 'ns per call', 'ratio'],
      [
        ['single-node Redis store', calls.singleNs, '1.00×'],
        ['Redis Cluster store', calls.clusterNs, `${calls.ratio.toFixed(2)}× (target ≤ 1.1×)`],
      ],
    );
    console.log('');
    const t2 = table(
      ['transition propagation, 4 processes, cluster', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
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
      `\nCluster/single-node per call: ${calls.ratio.toFixed(2)}×; ` +
        `propagation p50 ${prop.p50Ms.toFixed(2)} ms, p99 ${prop.p99Ms.toFixed(2)} ms`,
    );
    const result = { perCall: calls, ratio: calls.ratio, propagation: prop, tables: [t1, t2] };
    saveResults('redis-cluster', result);
    return result;
  } finally {
    await cluster.stop();
    await server.stop();
  }
}

if (isMain(import.meta.url)) {
  await main();
  process.exit(0);
}
