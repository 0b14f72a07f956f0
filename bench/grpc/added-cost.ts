/**
 * The interceptor's own CPU cost per call, measured without the network: grpc-js hands the
 * interceptor a `nextCall` that answers at once (headers, reply, OK status on `halfClose`), so
 * what remains is the interceptor's bookkeeping — circuit permit, classification, and for the
 * cache variant the request serialization, cache key hash and cache write. A pass-through
 * interceptor (grpc-js's `InterceptingCall`) is measured the same way for reference, and the
 * answering call alone, without interceptor, is the floor subtracted from both.
 * Loopback calls vary by ±10 % from run to run on a shared machine, far more than this cost, so
 * this is the figure to compare with the CPU a real call takes.
 */
import * as grpc from '@grpc/grpc-js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { interleaved, median } from '../harness.js';

const CALLS = 50_000;
const ROUNDS = 5;

type Def = grpc.InterceptorOptions['method_definition'];

/** A call below the interceptor that answers as soon as the request is half-closed. */
function answeringNextCall(reply: unknown): grpc.NextCall {
  const headers = new grpc.Metadata();
  const trailers = new grpc.Metadata();
  return () => {
    let listener: grpc.InterceptingListener | undefined;
    return {
      start: (_md: grpc.Metadata, l: grpc.InterceptingListener) => (listener = l),
      sendMessage: () => {},
      sendMessageWithContext: () => {},
      startRead: () => {},
      halfClose: () => {
        listener!.onReceiveMetadata(headers);
        listener!.onReceiveMessage(reply);
        listener!.onReceiveStatus({ code: 0, details: 'OK', metadata: trailers });
      },
      cancelWithStatus: () => {},
      getPeer: () => 'stub',
      getAuthContext: () => null,
    } as unknown as ReturnType<grpc.NextCall>;
  };
}

/** ns of CPU per call added by a pass-through interceptor and by rpc-breaker (with and without cache writes). */
export async function addedCost(def: Def) {
  const next = answeringNextCall({ message: 'ping', index: 0, server: 'bench', caller: '' });
  const options = { method_definition: def } as grpc.InterceptorOptions;
  const interceptors: Record<string, grpc.Interceptor> = {
    none: (o, n) => n(o) as grpc.InterceptingCall,
    'pass-through': (o, n) => new grpc.InterceptingCall(n(o)),
    'rpc-breaker': createGrpcBreakerInterceptor({ registry: new CircuitRegistry() }),
    'rpc-breaker + cache writes': createGrpcBreakerInterceptor({
      registry: new CircuitRegistry(),
      defaults: { fallback: { cache: { ttlMs: 60_000, maxEntries: 1_000 } } },
    }),
  };
  let received = 0;
  const listener = {
    onReceiveMetadata: () => {},
    onReceiveMessage: () => {},
    onReceiveStatus: () => received++,
  };
  const run = (name: string) => {
    const interceptor = interceptors[name]!;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) {
      const call = interceptor(options, next);
      call.start(new grpc.Metadata(), listener);
      call.sendMessage({ message: `ping${i % 100}` });
      call.halfClose();
    }
    const cpu = process.cpuUsage(cpu0);
    return ((cpu.user + cpu.system) * 1000) / CALLS;
  };
  const names = Object.keys(interceptors);
  for (const n of names) run(n);
  const samples = await interleaved(names, ROUNDS, async (n) => run(n));
  if (received < CALLS * ROUNDS * names.length) throw new Error('a call did not complete');
  const ns = Object.fromEntries(names.map((n) => [n, median(samples[n]!)]));
  const floor = ns.none!;
  return {
    floorNs: floor,
    passThroughAddedNs: ns['pass-through']! - floor,
    addedNs: ns['rpc-breaker']! - floor,
    addedWithCacheNs: ns['rpc-breaker + cache writes']! - floor,
  };
}
