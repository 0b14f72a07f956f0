/**
 * gRPC benchmark: what the breaker interceptor costs a real unary call, against peers.
 *
 * Unary Echo/Say on loopback to a server in its own process. Contenders, each on its own channel:
 * the bare client; the rpc-breaker interceptor with status classification and response-cache
 * writes (the full success path); opossum 9.0.0 and cockatiel 3.2.1 wrapping the promisified
 * bare call; and, for reference, a pass-through interceptor (the cost of grpc-js's interceptor
 * machinery alone). Rounds are interleaved (the order rotates) at concurrency 1 and 64; each sample runs
 * for a fixed time and reports calls per second and client CPU per call (`process.cpuUsage`,
 * user + system, the server's CPU excluded). A ratio against bare is taken within each round and
 * the median over rounds is reported. Those end-to-end ratios move by ±10 % between runs on a
 * shared machine, so the interceptor's own CPU per call is also measured without the network
 * (added-cost.ts) and set against the CPU of a bare call.
 *
 * The open-circuit path: with the circuit forced open, the latency of a call (from `client.Say()`
 * to its callback) answered with UNAVAILABLE, and of one served from the cache; p50/p99. Stack
 * traces are formatted without source maps, as in a compiled program; the rejected path is
 * measured once more with source maps on (as under tsx), where grpc-js's error stack costs more.
 * For reference, the same latency for grpc-js's own cheapest failure: a bare call whose deadline
 * has already passed (it fails inside the client, as a rejected call does).
 *
 * Bounded to about a minute. Run: npx tsx bench/grpc/grpc.bench.ts
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { circuitBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import OpossumBreaker from 'opossum';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { interleaved, isMain, median, percentile, saveResults, table } from '../harness.js';
import { addedCost } from './added-cost.js';

const ROUNDS = 10;
const SAMPLE_MS = 400;
const CONCURRENCY = [1, 64] as const;
const OPEN_PATH_CALLS = 20_000;
const SAY = '/rpcbreaker.echo.v1.Echo/Say';

type Say = (message: string) => Promise<unknown>;
interface Echo extends grpc.Client {
  Say(
    req: { message: string },
    cb: (e: grpc.ServiceError | null, v?: unknown) => void,
  ): grpc.ClientUnaryCall;
  Say(
    req: { message: string },
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (e: grpc.ServiceError | null, v?: unknown) => void,
  ): grpc.ClientUnaryCall;
}
type EchoCtor = new (
  address: string,
  creds: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => Echo;

function loadEcho(): EchoCtor {
  const protos = fileURLToPath(new URL('../../protos/', import.meta.url));
  const def = protoLoader.loadSync('echo.proto', { includeDirs: [protos], defaults: true });
  return (grpc.loadPackageDefinition(def) as any).rpcbreaker.echo.v1.Echo as EchoCtor;
}

function promisify(client: Echo): Say {
  return (message) =>
    new Promise((resolve, reject) =>
      client.Say({ message }, (e, v) => (e ? reject(e) : resolve(v))),
    );
}

async function startServer(): Promise<{ address: string; stop: () => void }> {
  const script = fileURLToPath(new URL('./echo-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { address: `127.0.0.1:${line.split(' ')[1]}`, stop: () => child.stdin!.end() };
}

/** Runs `say` with `concurrency` callers for `ms`; calls per second and CPU µs per call. */
async function sample(say: Say, concurrency: number, ms: number) {
  let calls = 0;
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + ms;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        await say('ping');
      } catch {
        errors++;
      }
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    callsPerSec: (calls / wall) * 1000,
    cpuUsPerCall: (cpu.user + cpu.system) / calls,
    errors,
  };
}

async function throughput(address: string, Echo: EchoCtor) {
  const creds = grpc.credentials.createInsecure();
  const registry = new CircuitRegistry();
  const interceptor = createGrpcBreakerInterceptor({
    registry,
    defaults: { fallback: { cache: { ttlMs: 60_000, maxEntries: 1_000 } } },
  });
  // A pass-through interceptor: what grpc-js's interceptor machinery alone costs.
  const noop: grpc.Interceptor = (options, next) => new grpc.InterceptingCall(next(options));
  const clients = {
    bare: new Echo(address, creds),
    noop: new Echo(address, creds, { interceptors: [noop] }),
    interceptor: new Echo(address, creds, { interceptors: [interceptor] }),
    opossum: new Echo(address, creds),
    cockatiel: new Echo(address, creds),
  };
  const opossum = new OpossumBreaker(promisify(clients.opossum));
  const cockatiel = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new ConsecutiveBreaker(5),
  });
  const cockSay = promisify(clients.cockatiel);
  const says: Record<string, Say> = {
    bare: promisify(clients.bare),
    'grpc-js pass-through interceptor (reference)': promisify(clients.noop),
    'rpc-breaker interceptor': promisify(clients.interceptor),
    'opossum 9.0.0': (m) => opossum.fire(m),
    'cockatiel 3.2.1': (m) => cockatiel.execute(() => cockSay(m)),
  };
  const names = Object.keys(says);
  for (const n of names) await sample(says[n]!, 8, 300); // connect and warm up every channel
  const rows: Array<Record<string, number | string>> = [];
  for (const c of CONCURRENCY) {
    const results = await interleaved(names, ROUNDS, (n) => sample(says[n]!, c, SAMPLE_MS));
    // Ratios are paired per round (each contender against bare measured in the same round),
    // then the median is taken: slow drift of the machine cancels out.
    const paired = (n: string, key: 'callsPerSec' | 'cpuUsPerCall') =>
      median(results[n]!.map((r, i) => r[key] / results.bare![i]![key]));
    for (const n of names) {
      rows.push({
        concurrency: c,
        contender: n,
        callsPerSec: median(results[n]!.map((r) => r.callsPerSec)),
        cpuUsPerCall: median(results[n]!.map((r) => r.cpuUsPerCall)),
        throughputVsBare: paired(n, 'callsPerSec'),
        cpuPerCallVsBare: paired(n, 'cpuUsPerCall'),
        errors: results[n]!.reduce((s, r) => s + r.errors, 0),
      });
    }
  }
  opossum.shutdown();
  for (const c of Object.values(clients)) c.close();
  return { rows, cacheEntries: registry.snapshot().length };
}

/**
 * Reference: grpc-js's own cheapest failure, a bare call whose deadline has already passed
 * (failed inside the client, no network).
 */
async function localFailure(address: string, Echo: EchoCtor) {
  const client = new Echo(address, grpc.credentials.createInsecure());
  await promisify(client)('warm-up');
  const lat: number[] = [];
  for (let i = 0; i < OPEN_PATH_CALLS; i++) {
    const t0 = performance.now();
    await new Promise((resolve) =>
      client.Say({ message: 'ping' }, new grpc.Metadata(), { deadline: Date.now() - 1 }, resolve),
    );
    lat.push((performance.now() - t0) * 1000);
  }
  client.close();
  const warm = lat.slice(1_000);
  return { p50Us: percentile(warm, 50), p99Us: percentile(warm, 99), served: 0 };
}

/** Latency of calls answered by an open circuit: rejected, and served from the cache. */
async function openPath(address: string, Echo: EchoCtor) {
  const creds = grpc.credentials.createInsecure();
  const measure = async (cached: boolean) => {
    const registry = new CircuitRegistry();
    const interceptor = createGrpcBreakerInterceptor({
      registry,
      defaults: cached ? { fallback: { cache: { ttlMs: 600_000 } } } : {},
    });
    const client = new Echo(address, creds, { interceptors: [interceptor] });
    const say = promisify(client);
    if (cached) await say('ping'); // fills the cache
    registry.get(SAY).forceOpen();
    const lat: number[] = [];
    let served = 0;
    for (let i = 0; i < OPEN_PATH_CALLS; i++) {
      const t0 = performance.now();
      try {
        await say('ping');
        served++;
      } catch {
        /* rejected: expected without a cache */
      }
      lat.push((performance.now() - t0) * 1000);
    }
    client.close();
    const warm = lat.slice(1_000);
    return { p50Us: percentile(warm, 50), p99Us: percentile(warm, 99), served: served };
  };
  // A rejected call ends in an Error built by grpc-js, whose stack string it reads; under tsx
  // that string goes through source maps, which a compiled production process does not do.
  // Both are measured; the target applies to the production setting.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  const rejected = await measure(false);
  const cacheServed = await measure(true);
  const bareLocalFailure = await localFailure(address, Echo);
  process.setSourceMapsEnabled(true);
  const rejectedWithSourceMaps = await measure(false);
  process.setSourceMapsEnabled(sourceMaps);
  return { rejected, cacheServed, rejectedWithSourceMaps, bareLocalFailure };
}

/** Runs the benchmark; prints tables and ratios; returns the figures. */
export async function main() {
  const Echo = loadEcho();
  const server = await startServer();
  try {
    console.log('\n## gRPC: unary Echo on loopback, server in its own process\n');
    const tp = await throughput(server.address, Echo);
    const tpTable = table(
      [
        'concurrency',
        'contender',
        'calls/s',
        'CPU µs/call',
        'throughput vs bare',
        'CPU/call vs bare',
      ],
      tp.rows.map((r) => [
        r.concurrency!,
        r.contender!,
        r.callsPerSec!,
        r.cpuUsPerCall!,
        `${(r.throughputVsBare as number).toFixed(3)}×`,
        `${(r.cpuPerCallVsBare as number).toFixed(3)}×`,
      ]),
    );
    console.log("\n## gRPC: the interceptor's own CPU per call (no network)\n");
    const added = await addedCost((Echo as unknown as grpc.ServiceClientConstructor).service.Say!);
    const bareCpuNs = (c: number) =>
      tp.rows.find((r) => r.concurrency === c && r.contender === 'bare')!.cpuUsPerCall! as number;
    const share = (ns: number) =>
      `${((ns / 1000 / bareCpuNs(1)) * 100).toFixed(1)} % / ${((ns / 1000 / bareCpuNs(64)) * 100).toFixed(1)} %`;
    const addedTable = table(
      ['interceptor', 'CPU ns added per call', 'share of a bare call’s CPU (c=1 / c=64)'],
      [
        [
          'grpc-js pass-through (reference)',
          added.passThroughAddedNs,
          share(added.passThroughAddedNs),
        ],
        ['rpc-breaker', added.addedNs, share(added.addedNs)],
        ['rpc-breaker + cache writes', added.addedWithCacheNs, share(added.addedWithCacheNs)],
      ],
    );
    console.log('\n## gRPC: open-circuit path (latency of one call, µs)\n');
    const open = await openPath(server.address, Echo);
    const openTable = table(
      ['answer', 'p50 µs', 'p99 µs', 'calls answered OK'],
      [
        ['rejected (UNAVAILABLE)', open.rejected.p50Us, open.rejected.p99Us, open.rejected.served],
        [
          'served from cache',
          open.cacheServed.p50Us,
          open.cacheServed.p99Us,
          open.cacheServed.served,
        ],
      ],
    );
    const ours = tp.rows.filter((r) => r.contender === 'rpc-breaker interceptor');
    for (const r of ours) {
      console.log(
        `\ninterceptor at concurrency ${r.concurrency}: throughput ${(r.throughputVsBare as number).toFixed(3)}× bare ` +
          `(target ≥ 0.95), CPU per call ${(r.cpuPerCallVsBare as number).toFixed(3)}× bare (target ≤ 1.05)`,
      );
    }
    console.log(
      `interceptor's own CPU per call: +${(added.addedNs / 1000).toFixed(2)} µs, ` +
        `+${(added.addedWithCacheNs / 1000).toFixed(2)} µs with cache writes (a bare call: ` +
        `${bareCpuNs(1).toFixed(0)} µs at c=1, ${bareCpuNs(64).toFixed(0)} µs at c=64)`,
    );
    console.log(
      `open circuit p99: rejected ${open.rejected.p99Us.toFixed(1)} µs, cache-served ${open.cacheServed.p99Us.toFixed(1)} µs (target < 50 µs)`,
    );
    const result = {
      throughput: tp.rows,
      addedCost: added,
      openCircuit: open,
      tables: [tpTable, addedTable, openTable],
    };
    saveResults('grpc', result);
    return result;
  } finally {
    server.stop();
  }
}

if (isMain(import.meta.url)) await main();
