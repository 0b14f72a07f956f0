/**
 * The per-endpoint picker's own CPU per call, without the network: the `rpc_breaker` picker
 * (src/grpc/endpoints/endpoint-picker.ts) over a stub child picker that hands out two
 * subchannel wrappers in turn, driven as grpc-js drives it — `pick`, then `onCallStarted`, then
 * `onCallEnded(OK)` — against the stub child picker alone (the floor). What remains is the
 * picker's bookkeeping: the readmission check, the endpoint circuit's permit (clock read,
 * in-flight list for slow calls) and the outcome record. Loopback calls vary far more than this
 * from run to run on a shared machine, so this is the figure to set against a call's CPU.
 *
 * Measured twice: on the sources as tsx runs them, and on the same modules bundled the way the
 * published build compiles them (esbuild, which tsup uses, without `keepNames`). tsx compiles with
 * `keepNames`, which wraps every closure in a `__name(fn, 'name')` call (an
 * `Object.defineProperty`); the picker makes two closures per call, so under tsx a good share of
 * its cost is that wrapper, which the published package does not have.
 */
import * as grpc from '@grpc/grpc-js';
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as classify from '../../src/classify/grpc-outcome.js';
import * as endpointBook from '../../src/registry/endpoint-book.js';
import * as options from '../../src/grpc/endpoints/endpoint-options.js';
import * as picker from '../../src/grpc/endpoints/endpoint-picker.js';
import type { WrappedSubchannel } from '../../src/grpc/endpoints/endpoint-picker.js';
import * as registries from '../../src/registry/circuit-registry.js';
import { interleaved, median } from '../harness.js';

const CALLS = 100_000;
const ROUNDS = 5;

type Picker = grpc.experimental.Picker;
type PickResult = grpc.experimental.PickResult;

/** The modules the measurement needs (from the sources, or from a bundle of them). */
type Modules = typeof classify &
  typeof endpointBook &
  typeof options &
  typeof picker &
  typeof registries;

const FILES = [
  'classify/grpc-outcome',
  'grpc/endpoints/endpoint-book',
  'grpc/endpoints/endpoint-options',
  'grpc/endpoints/endpoint-picker',
  'registry/circuit-registry',
];

/** The same modules bundled as the published build compiles them (no `keepNames`). */
async function builtModules(): Promise<Modules> {
  const src = fileURLToPath(new URL('../../src/', import.meta.url));
  const outfile = join(tmpdir(), `rpc-breaker-picker-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: FILES.map((f) => `export * from './${f}.js';`).join('\n'),
      resolveDir: src,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  try {
    return (await import(pathToFileURL(outfile).href)) as Modules;
  } finally {
    rmSync(outfile, { force: true });
  }
}

/**
 * ns of CPU per call: the stub child picker alone (`floorNs`), and what the endpoint picker adds
 * over it, on the sources under tsx (`addedNs`) and as built (`builtAddedNs`).
 */
export async function pickerOwnCost(): Promise<{
  floorNs: number;
  addedNs: number;
  builtAddedNs: number;
}> {
  const tsx = await measure({ ...classify, ...endpointBook, ...options, ...picker, ...registries });
  const built = await measure(await builtModules());
  return { floorNs: tsx.floorNs, addedNs: tsx.addedNs, builtAddedNs: built.addedNs };
}

async function measure(m: Modules): Promise<{ floorNs: number; addedNs: number }> {
  const { CircuitRegistry, EndpointBook, EndpointPicker } = m;
  const registry = new CircuitRegistry();
  const o = m.validateEndpointOptions({ registry });
  const book = new EndpointBook({
    registry,
    nameOf: (a) => `endpoint:${a}`,
    policyFor: () => o.circuit,
    maxEjectionPercent: 50,
    readmitWhenClosed: false,
  });
  const wrappers: WrappedSubchannel[] = ['127.0.0.1:1', '127.0.0.1:2'].map((a) => ({
    entry: book.entry(a),
    inner: {} as WrappedSubchannel['inner'],
  }));
  const complete = grpc.experimental.PickResultType.COMPLETE as number;
  let turn = 0;
  const child: Picker = {
    pick: (): PickResult => ({
      pickResultType: complete,
      subchannel: wrappers[turn++ & 1]! as unknown as PickResult['subchannel'],
      status: null,
      onCallStarted: null,
      onCallEnded: null,
    }),
  };
  const judge = m.createGrpcOutcomeClassifier({ failOn: o.failOn, ignore: o.ignore }).tableOutcome;
  const picker = new EndpointPicker(child, {
    book,
    clock: registry.clock,
    judge,
    complete,
    tries: 2,
    isWrapper: (s): s is NonNullable<typeof s> & WrappedSubchannel =>
      wrappers.includes(s as unknown as WrappedSubchannel),
  });
  const md = new grpc.Metadata();
  const args = { metadata: md, extraPickInfo: {} } as grpc.experimental.PickArgs;
  const pickers: Record<string, Picker> = { child, endpoint: picker };
  const run = (name: string) => {
    const p = pickers[name]!;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) {
      const r = p.pick(args);
      r.onCallStarted?.();
      r.onCallEnded?.(grpc.status.OK, 'OK', md);
    }
    const cpu = process.cpuUsage(cpu0);
    return ((cpu.user + cpu.system) * 1000) / CALLS;
  };
  for (const n of Object.keys(pickers)) run(n);
  const samples = await interleaved(Object.keys(pickers), ROUNDS, async (n) => run(n));
  book.close();
  const floorNs = median(samples.child!);
  return { floorNs, addedNs: median(samples.endpoint!) - floorNs };
}
