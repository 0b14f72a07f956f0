/**
 * The gRPC contenders: one channel over the four backends (an `ipv4:` target) with the
 * rpc-breaker method interceptor (default policy: 5 consecutive failures) on top, and three
 * load-balancing setups under it:
 * - `method-breaker`: `round_robin` (today's default: only the per-method breaker);
 * - `grpc-outlier-detection`: grpc-js's gRFC A50 `outlier_detection` over `round_robin`, at its
 *   fastest sensible setting (see `OUTLIER_DETECTION`);
 * - `rpc-breaker-endpoints`: our `rpc_breaker` policy over `round_robin`, sharing the
 *   interceptor's registry, with `slowCallMs` 150 (15 × the healthy p50).
 * Each client is fresh (new registry, new channel with its own subchannel pool), so each phase
 * starts with nothing ejected and every circuit closed. Which backend a call went to is read from
 * `getPeer()` when it ends, below the breaker interceptor (`peerRecorder`): the connection's
 * remote address, set once a subchannel is picked, even for a call that failed or hit its deadline.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import {
  endpointBreakerServiceConfig,
  registerEndpointBreaker,
} from '../../src/grpc/endpoints/register.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import type { Backend } from './backends.js';
import {
  DEADLINE_MS,
  type CallOutcome,
  type CircuitEvent,
  type ContenderClient,
  type SendRecord,
} from './load.js';

/** The gRPC contenders, in results.json order. */
export const GRPC_CONTENDERS = [
  'method-breaker',
  'grpc-outlier-detection',
  'rpc-breaker-endpoints',
] as const;

/** Per-endpoint circuit settings of `rpc-breaker-endpoints` (the rest are the defaults). */
export const ENDPOINT_CIRCUIT = { slowCallMs: 150 };
/** Open time of a newly ejected endpoint, ms (the endpoint default `openMs.initialMs`). */
export const ENDPOINT_OPEN_MS = 1_000;

/**
 * grpc-js `outlier_detection` config (snake_case keys; durations as `{ seconds, nanos }`
 * objects, which is what grpc-js 1.14 accepts in a JSON service config). Interval 100 ms: at
 * 200 calls/s each of 4 backends ends ~5 calls per interval, so `request_volume` 3 is about the
 * least a percentage can be taken over; a shorter interval would judge 1–2 calls. Failure
 * percentage over 30 % (our endpoint circuit's rate), ejection 1 s doubling up to 10 s (our
 * `openMs`), at most half of the backends; success-rate ejection is left out (with 4 hosts its
 * mean − 1.9 σ threshold never ejects one sick host of four).
 */
export const OUTLIER_DETECTION = {
  interval: { seconds: 0, nanos: 100_000_000 },
  base_ejection_time: { seconds: 1, nanos: 0 },
  max_ejection_time: { seconds: 10, nanos: 0 },
  max_ejection_percent: 50,
  failure_percentage_ejection: {
    threshold: 30,
    enforcement_percentage: 100,
    minimum_hosts: 2,
    request_volume: 3,
  },
  child_policy: [{ round_robin: {} }],
};

interface EchoClient extends grpc.Client {
  Say(
    req: { message: string },
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: (e: grpc.ServiceError | null, v?: { server: string }) => void,
  ): grpc.ClientUnaryCall;
}
type EchoCtor = new (
  target: string,
  creds: grpc.ChannelCredentials,
  options: grpc.ClientOptions,
) => EchoClient;

const protos = fileURLToPath(new URL('../../protos/', import.meta.url));
const Echo = (
  grpc.loadPackageDefinition(
    protoLoader.loadSync('echo.proto', { includeDirs: [protos], defaults: true }),
  ) as any
).rpcbreaker.echo.v1.Echo as EchoCtor;

let policySeq = 0;

function serviceConfig(name: string, registry: CircuitRegistry): object {
  switch (name) {
    case 'method-breaker':
      return { loadBalancingConfig: [{ round_robin: {} }] };
    case 'grpc-outlier-detection':
      return { loadBalancingConfig: [{ outlier_detection: OUTLIER_DETECTION }] };
    case 'rpc-breaker-endpoints': {
      // A fresh policy name per client: each registration is bound to its own registry.
      const policy = registerEndpointBreaker(grpc, {
        registry,
        circuit: ENDPOINT_CIRCUIT,
        name: `rpc_breaker_bench${++policySeq}`,
      });
      return endpointBreakerServiceConfig({ policy });
    }
    default:
      throw new Error(`unknown gRPC contender ${name}`);
  }
}

/**
 * A pass-through interceptor placed below the breaker interceptor: it sees each request that goes
 * down to the channel and, when it ends, the connection it went over (`getPeer()`; the breaker
 * interceptor forgets its attempt once it has ended, so the peer is read here). `onSend` gets the
 * time the request was made and the peer address.
 */
function peerRecorder(onSend: (atMs: number, peer: string) => void): grpc.Interceptor {
  return (options, nextCall) => {
    const atMs = performance.now();
    const call: grpc.InterceptingCall = new grpc.InterceptingCall(nextCall(options), {
      start: (md, _listener, next) =>
        next(md, {
          onReceiveStatus: (status, nextStatus) => {
            onSend(atMs, call.getPeer());
            nextStatus(status);
          },
        }),
    });
    return call;
  };
}

/** A fresh client of contender `name` over `backends`. */
export function grpcContender(name: string, backends: Backend[]): ContenderClient {
  const registry = new CircuitRegistry();
  const byAddress = new Map(backends.map((b) => [b.grpcAddress, b.id]));
  const sends: SendRecord[] = [];
  const record = (atMs: number, peer: string) => {
    const backend = byAddress.get(peer);
    if (backend) sends.push({ atMs, backend });
  };
  const client = new Echo(
    `ipv4:${backends.map((b) => b.grpcAddress).join(',')}`,
    grpc.credentials.createInsecure(),
    {
      'grpc.service_config': JSON.stringify(serviceConfig(name, registry)),
      'grpc.use_local_subchannel_pool': 1,
      interceptors: [createGrpcBreakerInterceptor({ registry }), peerRecorder(record)],
    },
  );
  const methodOpens: number[] = [];
  const events: CircuitEvent[] = [];
  registry.onStateChange((e) => {
    const atMs = performance.now();
    const endpoint = e.name.startsWith('endpoint:');
    if (e.to === 'open' && !endpoint) methodOpens.push(atMs);
    const who = endpoint ? (byAddress.get(e.name.slice('endpoint:'.length)) ?? e.name) : 'method';
    events.push({ atMs, what: `${who} ${e.to}${e.reason ? ` (${e.reason})` : ''}` });
  });
  return {
    sends,
    methodOpens,
    events,
    call: () =>
      new Promise<CallOutcome>((resolve) => {
        client.Say(
          { message: 'x' },
          new grpc.Metadata(),
          { deadline: Date.now() + DEADLINE_MS },
          (e, v) => resolve({ ok: !e, answeredBy: e ? '' : (v?.server ?? '') }),
        );
      }),
    close: () => client.close(),
  };
}
