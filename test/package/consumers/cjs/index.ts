// A CommonJS TypeScript project (tsc with skipLibCheck false, then run): the `require` conditions.
import { credentials, Client, type Interceptor } from '@grpc/grpc-js';
import {
  CircuitRegistry,
  ConfigError,
  createGrpcBreakerInterceptor,
  MemoryStateStore,
  wrapThriftClient,
  type StateChangeReason,
} from 'rpc-breaker';
import { createGrpcHealthProbe } from 'rpc-breaker/grpc';
import { wrapThriftClient as fromThriftEntry } from 'rpc-breaker/thrift';
import { RedisStateStore } from 'rpc-breaker/redis';

const interceptor: Interceptor = createGrpcBreakerInterceptor();
const client = new Client('127.0.0.1:1', credentials.createInsecure(), {
  interceptors: [interceptor],
});
createGrpcHealthProbe(client, { interceptors: [interceptor] });
client.close();

async function main(): Promise<void> {
  const reasons: Array<StateChangeReason | undefined> = [];
  const store = new MemoryStateStore();
  {
    await using registry = new CircuitRegistry({ store });
    using _l = registry.onStateChange((e) => reasons.push(e.reason));
    registry.get('b').forceOpen();
  }
  let sameConfigError = false;
  try {
    new RedisStateStore({ client: undefined as never });
  } catch (e) {
    sameConfigError = e instanceof ConfigError;
  }
  console.log(
    JSON.stringify({ reasons, sameConfigError, sameWrapper: fromThriftEntry === wrapThriftClient }),
  );
}
void main();
