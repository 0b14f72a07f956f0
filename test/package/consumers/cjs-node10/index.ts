// A CommonJS project on the older `moduleResolution: "node"` (node10), which ignores `exports`:
// the subpath entry points are found through `typesVersions`.
import { CircuitRegistry, ConfigError } from 'rpc-breaker';
import { wrapThriftClient } from 'rpc-breaker/thrift';
import { GRPC_STATUS } from 'rpc-breaker/grpc';
import { RedisStateStore } from 'rpc-breaker/redis';
import { registerPrometheusMetrics } from 'rpc-breaker/prometheus';

let sameConfigError = false;
try {
  new RedisStateStore({ client: undefined as never });
} catch (e) {
  sameConfigError = e instanceof ConfigError;
}
const registry = new CircuitRegistry();
console.log(
  JSON.stringify({
    sameConfigError,
    unavailable: GRPC_STATUS.UNAVAILABLE,
    wrap: typeof wrapThriftClient,
    prometheus: typeof registerPrometheusMetrics,
    circuits: registry.size,
  }),
);
