/**
 * Thrift benchmark: what `wrapThriftClient` costs a real call, against the bare generated client.
 *
 * `getItem('a')` over framed/binary TCP on loopback, to a server in its own process (its CPU is
 * not counted). Contenders, each with its own connection (npm thrift delivers replies to the last
 * client made on a connection): the bare es6 client; the same wrapped with default options (a
 * deadline timer per call, the connection watch, classification); wrapped with a last-known-good
 * cache as well (every reply is remembered: the full success path); and the js:node callback
 * client bare (promisified) and wrapped. Rounds are interleaved (the order rotates) at
 * concurrency 1 and 32; each sample runs for a fixed time and reports calls per second and client
 * CPU per call (`process.cpuUsage`). Ratios against the bare client of the same style are paired
 * per round, and the median over rounds is reported.
 *
 * The open-circuit path: with the circuit forced open, the latency of a call rejected with
 * `CircuitOpenError`, and of one served from the cache; p50/p99.
 *
 * Bounded to about 20 seconds. Run: npx tsx bench/thrift/thrift.bench.ts
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import type { ThriftMethodPolicy } from '../../src/thrift/types.js';
import { interleaved, isMain, median, percentile, saveResults, table } from '../harness.js';

const require = createRequire(import.meta.url);
const thrift = require('thrift') as typeof import('thrift');
type Es6Module = typeof import('../../thrift/gen-es6/Catalog.js');
type NodeModule = typeof import('../../thrift/gen-nodejs/Catalog.js');
const Es6Catalog = require('../../thrift/gen-es6/Catalog.js') as Es6Module;
const NodeCatalog = require('../../thrift/gen-nodejs/Catalog.js') as NodeModule;
type Es6Client = InstanceType<Es6Module['Client']>;
type NodeClient = InstanceType<NodeModule['Client']>;

const ROUNDS = Number(process.env.THRIFT_BENCH_ROUNDS ?? 8);
const SAMPLE_MS = 200;
const CONCURRENCY = [1, 32] as const;
const OPEN_PATH_CALLS = 20_000;
const CACHE: ThriftMethodPolicy = { fallback: { cache: { ttlMs: 600_000, maxEntries: 1_000 } } };

type Call = () => Promise<unknown>;
type Connection = ReturnType<typeof thrift.createConnection>;

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const script = fileURLToPath(new URL('./catalog-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { port: Number(line.split(' ')[1]), stop: () => child.stdin!.end() };
}

function connect(port: number): Connection {
  const c = thrift.createConnection('127.0.0.1', port, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
  });
  c.on('error', () => {});
  return c;
}

/** Runs `call` with `concurrency` callers for `ms`; calls per second and CPU µs per call. */
async function sample(call: Call, concurrency: number, ms: number) {
  let calls = 0;
  let errors = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + ms;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        await call();
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

function promisified(client: NodeClient): Call {
  return () =>
    new Promise((resolve, reject) =>
      client.getItem('a', (e, v) => (e ? reject(e as unknown as Error) : resolve(v))),
    );
}

async function throughput(port: number) {
  const connections: Connection[] = [];
  const es6 = () => {
    const c = connect(port);
    connections.push(c);
    return { client: thrift.createClient(Es6Catalog, c) as Es6Client, connection: c };
  };
  const node = () => {
    const c = connect(port);
    connections.push(c);
    return { client: thrift.createClient(NodeCatalog, c) as NodeClient, connection: c };
  };
  const registry = new CircuitRegistry();
  const bareEs6 = es6().client;
  const w = es6();
  const wrapped = wrapThriftClient(w.client, { connection: w.connection, registry });
  const wc = es6();
  const cached = wrapThriftClient(wc.client, {
    connection: wc.connection,
    registry,
    service: 'CatalogCached',
    defaults: CACHE,
  });
  const bareNode = promisified(node().client);
  const wn = node();
  const wrappedNode = wrapThriftClient(wn.client, {
    connection: wn.connection,
    registry,
    service: 'CatalogCallback',
  }) as unknown as { getItem(id: string): Promise<unknown> };
  const calls: Record<string, Call> = {
    'es6 bare': () => bareEs6.getItem('a'),
    'es6 wrapped': () => wrapped.getItem('a'),
    'es6 wrapped + cache': () => cached.getItem('a'),
    'js:node bare': bareNode,
    'js:node wrapped': () => wrappedNode.getItem('a'),
  };
  const bareOf = (n: string) => (n.startsWith('es6') ? 'es6 bare' : 'js:node bare');
  const names = Object.keys(calls);
  for (const n of names) await sample(calls[n]!, 8, 150); // connect and warm up
  const rows: Array<Record<string, number | string>> = [];
  for (const c of CONCURRENCY) {
    const results = await interleaved(names, ROUNDS, (n) => sample(calls[n]!, c, SAMPLE_MS));
    const paired = (n: string, key: 'callsPerSec' | 'cpuUsPerCall') =>
      median(results[n]!.map((r, i) => r[key] / results[bareOf(n)]![i]![key]));
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
  for (const c of connections) c.end();
  return rows;
}

/** Latency of calls answered by an open circuit: rejected, and served from the cache. */
async function openPath(port: number) {
  const measure = async (withCache: boolean) => {
    const connection = connect(port);
    const registry = new CircuitRegistry();
    const client = wrapThriftClient(thrift.createClient(Es6Catalog, connection) as Es6Client, {
      connection,
      registry,
      target: false,
      defaults: withCache ? CACHE : {},
    });
    if (withCache) await client.getItem('a'); // fills the cache
    registry.get('Catalog/getItem').forceOpen();
    const lat: number[] = [];
    let served = 0;
    for (let i = 0; i < OPEN_PATH_CALLS; i++) {
      const t0 = performance.now();
      try {
        await client.getItem('a');
        served++;
      } catch {
        /* rejected: expected without a cache */
      }
      lat.push((performance.now() - t0) * 1000);
    }
    connection.end();
    const warm = lat.slice(1_000);
    return { p50Us: percentile(warm, 50), p99Us: percentile(warm, 99), served };
  };
  return { rejected: await measure(false), cacheServed: await measure(true) };
}

/** Runs the benchmark; prints tables and ratios; returns the figures. */
export async function main() {
  const server = await startServer();
  try {
    console.log('\n## Thrift: getItem over framed/binary on loopback, server in its own process\n');
    const rows = await throughput(server.port);
    const tpTable = table(
      [
        'concurrency',
        'contender',
        'calls/s',
        'CPU µs/call',
        'throughput vs bare',
        'CPU/call vs bare',
      ],
      rows.map((r) => [
        r.concurrency!,
        r.contender!,
        r.callsPerSec!,
        r.cpuUsPerCall!,
        `${(r.throughputVsBare as number).toFixed(3)}×`,
        `${(r.cpuPerCallVsBare as number).toFixed(3)}×`,
      ]),
    );
    console.log('\n## Thrift: open-circuit path (latency of one call, µs)\n');
    const open = await openPath(server.port);
    const openTable = table(
      ['answer', 'p50 µs', 'p99 µs', 'calls answered OK'],
      [
        [
          'rejected (CircuitOpenError)',
          open.rejected.p50Us,
          open.rejected.p99Us,
          open.rejected.served,
        ],
        [
          'served from cache',
          open.cacheServed.p50Us,
          open.cacheServed.p99Us,
          open.cacheServed.served,
        ],
      ],
    );
    const wrappedRows = rows.filter((r) => String(r.contender).includes('wrapped'));
    const worstThroughput = Math.min(...wrappedRows.map((r) => r.throughputVsBare as number));
    const worstCpu = Math.max(...wrappedRows.map((r) => r.cpuPerCallVsBare as number));
    console.log(
      `\nwrapped vs bare: throughput ≥ ${worstThroughput.toFixed(3)}× (target ≥ 0.95×), ` +
        `CPU per call ≤ ${worstCpu.toFixed(3)}×`,
    );
    const figures = { rows, open, worstThroughput, worstCpu, tables: { tpTable, openTable } };
    saveResults('thrift', figures);
    return figures;
  } finally {
    server.stop();
  }
}

if (isMain(import.meta.url)) await main();
