/**
 * The contenders of the resilience benchmark: the same Catalog client, guarded six ways. Each
 * answers `read(id)` / `write(id)` with how the call ended for its caller, counts the requests it
 * put on the network (an innermost counting interceptor), and reports when its breaker opens.
 */
import * as grpc from '@grpc/grpc-js';
import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleAll } from 'cockatiel';
import OpossumBreaker from 'opossum';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { loadCatalog, type CatalogClient } from './catalog.js';

/** How a call ended for its caller: a real answer, a cached answer, or an error. */
export type CallResult = 'ok' | 'cache' | 'error';

export interface Contender {
  readonly name: string;
  read(id: string): Promise<CallResult>;
  write(id: string): Promise<CallResult>;
  /** Requests put on the network so far. */
  readonly sent: () => number;
  /** Whether any of its circuits is open (or half-open) now; false for contenders without one. */
  readonly isOpen: () => boolean;
  /** Closes every circuit and forgets failure history (a fresh start for the next phase). */
  reset(): void;
  /** Called with the time of each transition to open, and which method's circuit opened. */
  onOpen?: (atMs: number, kind: 'read' | 'write') => void;
  close(): void;
}

export const DEADLINE_MS = 1_000;
const GET = '/rpcbreaker.catalog.v1.Catalog/GetItem';

/** The rpc-breaker-cache contender's circuit policy, shared with the Thrift scenario. */
export const CACHE_CONTENDER_CIRCUIT = {
  trip: { failureRate: 0.5, minimumCalls: 10, windowMs: 5_000 },
  slowCallMs: 250,
  slowCallRate: 0.5,
  openMs: { initialMs: 5_000, maxMs: 10_000 },
};
const channelOptions = {
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.initial_reconnect_backoff_ms': 100,
};

function counter(): { interceptor: grpc.Interceptor; sent: () => number } {
  let sent = 0;
  const interceptor: grpc.Interceptor = (options, next) =>
    new grpc.InterceptingCall(next(options), {
      start: (md, listener, nextStart) => {
        sent++;
        nextStart(md, listener);
      },
    });
  return { interceptor, sent: () => sent };
}

type RawCall = (id: string) => Promise<{ fromCache: boolean }>;

function rawCalls(client: CatalogClient, name: string, withDeadline: boolean) {
  const md = () => {
    const m = new grpc.Metadata();
    m.set('x-contender', name);
    return m;
  };
  const opts = (): grpc.CallOptions => (withDeadline ? { deadline: Date.now() + DEADLINE_MS } : {});
  const settle =
    (
      resolve: (v: { fromCache: boolean }) => void,
      reject: (e: unknown) => void,
      cache: { hit: boolean },
    ) =>
    (err: grpc.ServiceError | null) => (err ? reject(err) : resolve({ fromCache: cache.hit }));
  const read: RawCall = (id) =>
    new Promise((resolve, reject) => {
      const cache = { hit: false };
      const call = client.GetItem({ id }, md(), opts(), settle(resolve, reject, cache));
      call.on('metadata', (m) => (cache.hit = m.get('x-fallback')[0] === 'cache'));
    });
  const write: RawCall = (id) =>
    new Promise((resolve, reject) => {
      const cache = { hit: false };
      client.PutItem({ item: { id, name: 'w' } }, md(), opts(), settle(resolve, reject, cache));
    });
  return { read, write };
}

const judge = (p: Promise<{ fromCache: boolean }>): Promise<CallResult> =>
  p.then(
    (r) => (r.fromCache ? 'cache' : 'ok'),
    () => 'error',
  );

function plainClient(address: string, name: string, interceptors: grpc.Interceptor[]) {
  const { Client } = loadCatalog();
  const count = counter();
  const client = new Client(address, grpc.credentials.createInsecure(), {
    ...channelOptions,
    interceptors: [...interceptors, count.interceptor],
  });
  return { client, sent: count.sent, calls: rawCalls(client, name, true) };
}

function bare(address: string): Contender {
  const { client, sent, calls } = plainClient(address, 'bare', []);
  return {
    name: 'bare',
    read: (id) => judge(calls.read(id)),
    write: (id) => judge(calls.write(id)),
    sent,
    isOpen: () => false,
    reset: () => {},
    close: () => client.close(),
  };
}

function naiveRetry(address: string): Contender {
  const { client, sent, calls } = plainClient(address, 'retry', []);
  // tenacity's stop_after_attempt(5) + wait_exponential: 50, 100, 200, 400 ms between attempts.
  const withRetry = async (call: RawCall, id: string): Promise<CallResult> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await call(id);
        return 'ok';
      } catch {
        if (attempt >= 5) return 'error';
        await new Promise((r) => setTimeout(r, 50 * 2 ** (attempt - 1)));
      }
    }
  };
  return {
    name: 'retry',
    read: (id) => withRetry(calls.read, id),
    write: (id) => withRetry(calls.write, id),
    sent,
    isOpen: () => false,
    reset: () => {},
    close: () => client.close(),
  };
}

function opossum(address: string): Contender {
  const { client, sent, calls } = plainClient(address, 'opossum', []);
  // opossum defaults (50 % errors over 10 s opens), with resetTimeout aligned to the others' 10 s.
  const breakers = [
    new OpossumBreaker(calls.read, { resetTimeout: 10_000 }),
    new OpossumBreaker(calls.write, { resetTimeout: 10_000 }),
  ];
  const c: Contender = {
    name: 'opossum',
    read: (id) => judge(breakers[0]!.fire(id) as Promise<{ fromCache: boolean }>),
    write: (id) => judge(breakers[1]!.fire(id) as Promise<{ fromCache: boolean }>),
    sent,
    isOpen: () => breakers.some((b) => b.opened || b.halfOpen),
    reset: () => breakers.forEach((b) => b.close()),
    close: () => {
      breakers.forEach((b) => b.shutdown());
      client.close();
    },
  };
  breakers.forEach((b, i) =>
    b.on('open', () => c.onOpen?.(Date.now(), i === 0 ? 'read' : 'write')),
  );
  return c;
}

function cockatiel(address: string): Contender {
  const { client, sent, calls } = plainClient(address, 'cockatiel', []);
  const make = () =>
    circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  let policies = [make(), make()];
  const c: Contender = {
    name: 'cockatiel',
    read: (id) => judge(policies[0]!.execute(() => calls.read(id))),
    write: (id) => judge(policies[1]!.execute(() => calls.write(id))),
    sent,
    isOpen: () => policies.some((p) => p.state !== CircuitState.Closed),
    // cockatiel has no public reset: a fresh pair of policies is the same thing.
    reset: () => listen((policies = [make(), make()])),
    close: () => client.close(),
  };
  const listen = (ps: typeof policies) =>
    ps.forEach((p, i) => p.onBreak(() => c.onOpen?.(Date.now(), i === 0 ? 'read' : 'write')));
  listen(policies);
  return c;
}

function rpcBreaker(
  address: string,
  name: string,
  options: Parameters<typeof createGrpcBreakerInterceptor>[0] & object,
): Contender {
  const registry = new CircuitRegistry();
  const { Client } = loadCatalog();
  const count = counter();
  const interceptor = createGrpcBreakerInterceptor({ ...options, registry });
  const client = new Client(address, grpc.credentials.createInsecure(), {
    ...channelOptions,
    interceptors: [interceptor, count.interceptor],
  });
  const calls = rawCalls(client, name, false);
  const c: Contender = {
    name,
    read: (id) => judge(calls.read(id)),
    write: (id) => judge(calls.write(id)),
    sent: count.sent,
    isOpen: () => registry.snapshot().some((s) => s.state !== 'closed'),
    reset: () => registry.snapshot().forEach((s) => registry.get(s.name).reset()),
    close: () => client.close(),
  };
  registry.onStateChange((e) => {
    if (e.to === 'open') c.onOpen?.(Date.now(), e.name === GET ? 'read' : 'write');
  });
  return c;
}

/** The gRPC contenders by name, in the order the report lists them. */
export const GRPC_CONTENDERS: Record<string, (address: string) => Contender> = {
  bare,
  retry: naiveRetry,
  opossum,
  cockatiel,
  'rpc-breaker': (address) =>
    rpcBreaker(address, 'rpc-breaker', { defaults: { timeoutMs: DEADLINE_MS } }),
  'rpc-breaker-cache': (address) =>
    rpcBreaker(address, 'rpc-breaker-cache', {
      defaults: { timeoutMs: DEADLINE_MS, circuit: CACHE_CONTENDER_CIRCUIT },
      methods: {
        [GET]: {
          fallback: { cache: { ttlMs: 300_000, serveOn: 'open-or-failure' } },
          retry: {
            maxAttempts: 3,
            initialDelayMs: 20,
            maxDelayMs: 200,
            budget: { ratio: 0.2, minPerSecond: 5 },
          },
        },
      },
    }),
};
