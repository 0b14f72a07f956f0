/**
 * `npm run bench:hedging`: tail latency with one slow backend of four, with and without hedging.
 *
 * Four Echo backends, each in its own process, behind one channel (round_robin over an `ipv4:`
 * target); three answer in ~1 ms, one in 40 ms (a sick replica). Each contender gets a fresh
 * client and the same paced load (200 calls/s for 6 s, 1 s deadline): the plain interceptor, and
 * the interceptor hedging `Say` after a fixed 10 ms or at the method's p90 latency. Printed and
 * saved (bench/results/hedging.json): p50/p90/p99 per contender, the p99 ratio against no
 * hedging, and the extra requests hedging sent (attempts per call).
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import type { GrpcMethodPolicy } from '../../src/grpc/options.js';
import { isMain, percentile, saveResults, table } from '../harness.js';

const SAY = '/rpcbreaker.echo.v1.Echo/Say';
const RATE = 200;
const SECONDS = 6;
const DELAYS = [0, 0, 0, 40];

type Contender = { name: string; policy: GrpcMethodPolicy };
const budget = { ratio: 0.3, minPerSecond: 1 };
const contenders: Contender[] = [
  { name: 'no hedging', policy: {} },
  {
    name: 'after 10 ms (default budget 0.1)',
    policy: { idempotent: true, hedging: { delayMs: 10 } },
  },
  {
    name: 'after 10 ms, budget 0.3',
    policy: { idempotent: true, hedging: { delayMs: 10, budget } },
  },
  {
    name: 'at p50, budget 0.3',
    policy: { idempotent: true, hedging: { percentile: 0.5, minDelayMs: 2, budget } },
  },
  {
    name: 'at p90, budget 0.3',
    policy: { idempotent: true, hedging: { percentile: 0.9, minDelayMs: 2, budget } },
  },
];

const protos = fileURLToPath(new URL('../../protos/', import.meta.url));
const def = protoLoader.loadSync('echo.proto', { includeDirs: [protos], defaults: true });
const Echo = (grpc.loadPackageDefinition(def) as any).rpcbreaker.echo.v1
  .Echo as grpc.ServiceClientConstructor;

function startBackend(delayMs: number): Promise<{ port: number; child: ChildProcess }> {
  const server = fileURLToPath(new URL('./delay-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', server, String(delayMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('backend did not start in 20 s')), 20_000);
    child.stdout!.on('data', (b: Buffer) => {
      const m = /listening (\d+)/.exec(b.toString());
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), child });
      }
    });
    child.once('exit', (code) => reject(new Error(`backend exited (${code})`)));
  });
}

async function run(c: Contender, target: string) {
  let attempts = 0;
  const count: grpc.Interceptor = (options, next) =>
    new grpc.InterceptingCall(next(options), {
      start: (md, listener, nextStart) => {
        attempts++;
        nextStart(md, listener);
      },
    });
  const client = new Echo(target, grpc.credentials.createInsecure(), {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    interceptors: [createGrpcBreakerInterceptor({ methods: { [SAY]: c.policy } }), count],
  });
  const call = () =>
    new Promise<number>((resolve) => {
      const started = performance.now();
      client.Say!({ message: 'x' }, { deadline: Date.now() + 1_000 }, (e: unknown) =>
        resolve(e ? Infinity : performance.now() - started),
      );
    });
  for (let i = 0; i < 100; i++) await call(); // connect every subchannel, learn latencies
  attempts = 0;
  const latencies: Promise<number>[] = [];
  const total = RATE * SECONDS;
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1_000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    latencies.push(call());
  }
  const ms = await Promise.all(latencies);
  client.close();
  return {
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    failed: ms.filter((v) => v === Infinity).length,
    attemptsPerCall: attempts / total,
  };
}

export async function main(): Promise<void> {
  const backends = await Promise.all(DELAYS.map(startBackend));
  try {
    const target = `ipv4:${backends.map((b) => `127.0.0.1:${b.port}`).join(',')}`;
    const results: Record<string, Awaited<ReturnType<typeof run>>> = {};
    for (const c of contenders) results[c.name] = await run(c, target);
    const base = results['no hedging']!.p99;
    console.log(
      `\nOne backend of four answering in 40 ms, the others at once; ${RATE} calls/s for ${SECONDS} s.`,
    );
    const md = table(
      ['contender', 'p50 ms', 'p90 ms', 'p99 ms', 'p99 vs no hedging', 'attempts/call', 'failed'],
      contenders.map((c) => {
        const r = results[c.name]!;
        return [
          c.name,
          r.p50,
          r.p90,
          r.p99,
          `${(r.p99 / base).toFixed(2)}×`,
          r.attemptsPerCall,
          r.failed,
        ];
      }),
    );
    console.log(
      `\nsaved ${saveResults('hedging', { delays: DELAYS, rate: RATE, seconds: SECONDS, results, table: md })}`,
    );
  } finally {
    for (const b of backends) b.child.stdin!.end();
  }
}

if (isMain(import.meta.url)) await main();
