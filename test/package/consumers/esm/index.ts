// An ESM TypeScript project using every entry point (tsc with skipLibCheck false, then run).
import { Client, credentials, status, type Interceptor } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import {
  CircuitRegistry,
  ConfigError,
  createGrpcBreakerInterceptor,
  MemoryStateStore,
  wrapThriftClient,
  type DisposableHandle,
  type StateChangeEvent,
  type StateChangeReason,
} from 'rpc-breaker';
import { createGrpcBreakerInterceptor as fromGrpcEntry } from 'rpc-breaker/grpc';
import { wrapThriftClient as fromThriftEntry } from 'rpc-breaker/thrift';
import { RedisStateStore } from 'rpc-breaker/redis';
import { registerPrometheusMetrics } from 'rpc-breaker/prometheus';

// The interceptor is a grpc-js Interceptor; statuses by name or grpc-js enum value.
const interceptor: Interceptor = createGrpcBreakerInterceptor({
  methods: { '*': { failOn: ['UNAVAILABLE', status.INTERNAL] } },
});
new Client('127.0.0.1:1', credentials.createInsecure(), {
  interceptors: [interceptor, fromGrpcEntry()],
}).close();

// StateChangeEvent.reason is the package's union, not any string.
export const reason: StateChangeReason | undefined = (
  { name: 'a', from: 'closed', to: 'open' } as StateChangeEvent
).reason;
// @ts-expect-error: 'because' is not a StateChangeReason
export const bad: StateChangeEvent = { name: 'a', from: 'closed', to: 'open', reason: 'because' };
// A listener handle is a global Disposable.
export const handle: (h: DisposableHandle) => Disposable = (h) => h;

class WatchedStore extends MemoryStateStore {
  closed = false;
  override async close(): Promise<void> {
    this.closed = true;
  }
}

const seen: string[] = [];
const store = new WatchedStore();
const prom = new Registry();
{
  await using registry = new CircuitRegistry({ store });
  {
    using _listener = registry.onStateChange((e) => seen.push(`${e.to}:${e.reason ?? ''}`));
    using _metrics = registerPrometheusMetrics(registry, prom);
    registry.get('a').forceOpen();
  }
  registry.get('a').reset(); // the listener is gone: not seen
}
let sameConfigError = false;
try {
  new RedisStateStore({ client: undefined as never });
} catch (e) {
  sameConfigError = e instanceof ConfigError;
}
console.log(
  JSON.stringify({
    seen,
    storeClosed: store.closed,
    metricsRemoved: prom.getSingleMetric('rpc_breaker_state') === undefined,
    sameConfigError,
    sameWrapper: fromThriftEntry === wrapThriftClient,
  }),
);
