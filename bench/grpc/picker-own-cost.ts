/**
 * The per-endpoint picker's own CPU per call, without the network: the `rpc_breaker` picker
 * (src/grpc/endpoints/endpoint-picker.ts) over a stub child picker that hands out two
 * subchannel wrappers in turn, driven as grpc-js drives it — `pick`, then `onCallStarted`, then
 * `onCallEnded(OK)` — against the stub child picker alone (the floor). What remains is the
 * picker's bookkeeping: the readmission check, the endpoint circuit's permit (clock read,
 * in-flight list for slow calls) and the outcome record. Loopback calls vary far more than this
 * from run to run on a shared machine, so this is the figure to set against a call's CPU.
 */
import * as grpc from '@grpc/grpc-js';
import { createGrpcOutcomeClassifier } from '../../src/classify/grpc-outcome.js';
import { EndpointBook } from '../../src/grpc/endpoints/endpoint-book.js';
import { validateEndpointOptions } from '../../src/grpc/endpoints/endpoint-options.js';
import {
  EndpointPicker,
  type WrappedSubchannel,
} from '../../src/grpc/endpoints/endpoint-picker.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { interleaved, median } from '../harness.js';

const CALLS = 100_000;
const ROUNDS = 5;

type Picker = grpc.experimental.Picker;
type PickResult = grpc.experimental.PickResult;

/** ns of CPU per call: the stub child picker alone, and added by the endpoint picker over it. */
export async function pickerOwnCost(): Promise<{ floorNs: number; addedNs: number }> {
  const registry = new CircuitRegistry();
  const o = validateEndpointOptions({ registry });
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
  const judge = createGrpcOutcomeClassifier({ failOn: o.failOn, ignore: o.ignore }).tableOutcome;
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
