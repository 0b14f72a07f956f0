/**
 * What the per-endpoint breaker's picker adds to a call (issue 13): client CPU per unary call on
 * a channel balancing with plain `round_robin`, against the same channel with our `rpc_breaker`
 * policy over `round_robin` (a circuit permit taken in `onCallStarted`, the outcome recorded in
 * `onCallEnded`, one clock read per pick). No interceptor on either.
 *
 * Two Echo servers, each in its own process (echo-server.ts), behind an `ipv4:` target; each
 * contender has its own channel and subchannel pool. Samples of `SAMPLE_MS` with `concurrency`
 * callers, CPU per call from `process.cpuUsage` (user + system, servers excluded), rounds
 * interleaved with the order rotating; the ratio is paired per round and the median taken, as
 * in grpc.bench.ts. End-to-end ratios move by ±10 % between runs on a shared machine, so the
 * picker's own CPU per call is also measured without the network (picker-own-cost.ts) and set
 * against a round_robin call's CPU. Bounded to about 30 s. Run: npx tsx bench/grpc/picker-cost.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  endpointBreakerServiceConfig,
  registerEndpointBreaker,
} from '../../src/grpc/endpoints/register.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { interleaved, isMain, median, saveResults, table } from '../harness.js';
import { pickerOwnCost } from './picker-own-cost.js';

const ROUNDS = 8;
const SAMPLE_MS = 400;
const CONCURRENCY = [1, 32] as const;
const SERVERS = 2;

type Say = () => Promise<void>;

async function startServer(): Promise<{ address: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./echo-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const timer = setTimeout(() => child.kill(), 30_000);
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  clearTimeout(timer);
  return { address: `127.0.0.1:${line.split(' ')[1]}`, child };
}

function client(target: string, serviceConfig: object): { say: Say; close: () => void } {
  const protos = fileURLToPath(new URL('../../protos/', import.meta.url));
  const def = protoLoader.loadSync('echo.proto', { includeDirs: [protos], defaults: true });
  const Echo = (grpc.loadPackageDefinition(def) as any).rpcbreaker.echo.v1
    .Echo as grpc.ServiceClientConstructor;
  const c = new Echo(target, grpc.credentials.createInsecure(), {
    'grpc.service_config': JSON.stringify(serviceConfig),
    'grpc.use_local_subchannel_pool': 1,
  }) as grpc.Client & Record<string, any>;
  return {
    say: () =>
      new Promise<void>((resolve, reject) =>
        c.Say({ message: 'ping' }, (e: unknown) => (e ? reject(e) : resolve())),
      ),
    close: () => c.close(),
  };
}

/** `concurrency` callers for `ms`: CPU µs per call. */
async function sample(say: Say, concurrency: number, ms: number): Promise<number> {
  let calls = 0;
  const cpu0 = process.cpuUsage();
  const end = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < end) {
      await say();
      calls++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / calls;
}

/** Runs the comparison; prints the table and the ratio; returns the figures. */
export async function main() {
  const servers = await Promise.all(Array.from({ length: SERVERS }, startServer));
  const target = `ipv4:${servers.map((s) => s.address).join(',')}`;
  const policy = registerEndpointBreaker(grpc, {
    registry: new CircuitRegistry(),
    name: 'rpc_breaker_cost',
  });
  const clients = {
    round_robin: client(target, { loadBalancingConfig: [{ round_robin: {} }] }),
    'rpc_breaker over round_robin': client(target, endpointBreakerServiceConfig({ policy })),
  };
  const names = Object.keys(clients) as Array<keyof typeof clients>;
  try {
    for (const n of names) await sample(clients[n].say, 8, 300); // connect and warm up
    const rows: Array<Array<string | number>> = [];
    const figures: Array<Record<string, number>> = [];
    for (const c of CONCURRENCY) {
      const r = await interleaved(names, ROUNDS, (n) =>
        sample(clients[n as keyof typeof clients].say, c, SAMPLE_MS),
      );
      const base = r.round_robin!;
      const ours = r['rpc_breaker over round_robin']!;
      const ratio = median(ours.map((v, i) => v / base[i]!));
      const addedUs = median(ours.map((v, i) => v - base[i]!));
      figures.push({
        concurrency: c,
        roundRobinUs: median(base),
        oursUs: median(ours),
        ratio,
        addedUs,
      });
      rows.push([c, median(base), median(ours), `${ratio.toFixed(3)}×`, addedUs]);
    }
    console.log('\n## gRPC: the per-endpoint picker’s cost (client CPU per call)\n');
    const md = table(
      [
        'concurrency',
        'round_robin µs/call',
        'rpc_breaker over round_robin µs/call',
        'ratio',
        'added µs/call',
      ],
      rows,
    );
    const own = await pickerOwnCost();
    console.log(
      `picker's own CPU per call (no network): +${own.builtAddedNs.toFixed(0)} ns as built ` +
        `(+${own.addedNs.toFixed(0)} ns under tsx, whose keepNames wraps every closure)`,
    );
    for (const f of figures)
      console.log(
        `  = ${((own.builtAddedNs / 1000 / f.roundRobinUs!) * 100).toFixed(2)} % of a round_robin ` +
          `call's CPU at concurrency ${f.concurrency}`,
      );
    for (const f of figures)
      console.log(
        `rpc_breaker over round_robin at concurrency ${f.concurrency}: CPU per call ` +
          `${f.ratio!.toFixed(3)}× round_robin (${f.addedUs! >= 0 ? '+' : ''}${f.addedUs!.toFixed(2)} µs)`,
      );
    saveResults('grpc-picker', {
      pickerOwnCost: own,
      servers: SERVERS,
      rounds: ROUNDS,
      sampleMs: SAMPLE_MS,
      figures,
      table: md,
    });
    return figures;
  } finally {
    for (const c of Object.values(clients)) c.close();
    for (const s of servers) s.child.stdin!.end();
  }
}

if (isMain(import.meta.url)) await main();
