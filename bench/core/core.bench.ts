/**
 * Core benchmark: the cost a circuit adds to a call, and what many circuits cost at rest.
 *
 * Per call: each contender wraps the same already-resolved async function; rounds are
 * interleaved and the median ns per call is reported, with the cost added over a bare `await`.
 * Footprint: 100,000 circuits (10,000 for opossum, whose two intervals per breaker make more
 * impractical) built in a fresh process each: heap per circuit, timers, idle CPU.
 * Run: npx tsx bench/core/core.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { circuitBreaker, ConsecutiveBreaker, handleAll, SamplingBreaker } from 'cockatiel';
import OpossumBreaker from 'opossum';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { benchDir, interleaved, isMain, median, saveResults, table } from '../harness.js';

const CALLS_PER_SAMPLE = 200_000;
const ROUNDS = 9;

type Wrapped = () => Promise<unknown>;

function contenders(): Record<string, Wrapped> {
  const fn = async () => 1;
  const registry = new CircuitRegistry();
  const consecutive = registry.get('consecutive');
  const rate = registry.get('rate', { trip: { failureRate: 0.5, windowMs: 10_000 } });
  const permitCircuit = registry.get('permit');
  const cockConsecutive = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new ConsecutiveBreaker(5),
  });
  const cockSampling = circuitBreaker(handleAll, {
    halfOpenAfter: 10_000,
    breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000 }),
  });
  const opossum = new OpossumBreaker(fn);
  return {
    bare: () => fn(),
    'rpc-breaker execute (consecutive)': () => consecutive.execute(fn),
    'rpc-breaker execute (failure rate, time window)': () => rate.execute(fn),
    'rpc-breaker permit API (what the adapters use)': async () => {
      const p = permitCircuit.tryAcquire()!;
      const v = await fn();
      p.record('success');
      return v;
    },
    'cockatiel ConsecutiveBreaker': () => cockConsecutive.execute(fn),
    'cockatiel SamplingBreaker': () => cockSampling.execute(fn),
    'opossum (defaults)': () => opossum.fire(),
    shutdown: async () => opossum.shutdown(),
  };
}

async function perCall() {
  const all = contenders();
  const names = Object.keys(all).filter((n) => n !== 'shutdown');
  for (const n of names) for (let i = 0; i < 50_000; i++) await all[n]!();
  const samples = await interleaved(names, ROUNDS, async (name) => {
    const f = all[name]!;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS_PER_SAMPLE; i++) await f();
    return Number(process.hrtime.bigint() - t0) / CALLS_PER_SAMPLE;
  });
  await all.shutdown!();
  const ns = Object.fromEntries(names.map((n) => [n, median(samples[n]!)]));
  const bare = ns.bare!;
  return names.map((n) => ({ contender: n, nsPerCall: ns[n]!, addedNs: ns[n]! - bare }));
}

function footprint(contender: string, count: number) {
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(benchDir, 'core', 'footprint.ts'),
      contender,
      String(count),
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return JSON.parse(out) as {
    contender: string;
    count: number;
    heapBytesPerCircuit: number;
    timers: number;
    idleCpuShare: number;
  };
}

export async function main() {
  console.log('\n## Core: cost per call (already-resolved async function)\n');
  const calls = await perCall();
  const added = (name: string) => calls.find((c) => c.contender === name)!.addedNs;
  const ours = added('rpc-breaker execute (consecutive)');
  const theirs = added('cockatiel ConsecutiveBreaker');
  const callTable = table(
    ['contender', 'ns per call', 'added ns over bare await', 'added vs cockatiel Consecutive'],
    calls.map((c) => [
      c.contender,
      c.nsPerCall,
      c.addedNs,
      c.contender === 'bare' ? '-' : `${(c.addedNs / theirs).toFixed(2)}×`,
    ]),
  );
  console.log(
    `\nrpc-breaker added cost ÷ cockatiel's: ${(ours / theirs).toFixed(2)} (target ≤ 0.5)`,
  );

  console.log('\n## Core: footprint at rest\n');
  const prints = [
    footprint('empty', 0),
    footprint('rpc-breaker', 100_000),
    footprint('cockatiel', 100_000),
    footprint('opossum', 10_000),
  ];
  const printTable = table(
    [
      'contender',
      'circuits',
      'heap bytes per circuit',
      'live intervals',
      'idle CPU (share of a core, 2 s)',
    ],
    prints.map((p) => [
      p.contender,
      p.count,
      p.heapBytesPerCircuit,
      p.timers,
      `${(p.idleCpuShare * 100).toFixed(2)} %`,
    ]),
  );
  const result = {
    calls,
    footprint: prints,
    ratioAddedVsCockatiel: ours / theirs,
    tables: [callTable, printTable],
  };
  saveResults('core', result);
  return result;
}

if (isMain(import.meta.url)) await main();
