/**
 * `rpc-breaker/thrift`: the Thrift adapter on its own (also exported by `rpc-breaker`). The
 * registry, policies and errors come from `rpc-breaker` and are the same classes whichever entry
 * point loads them.
 */
export { wrapThriftClient } from './wrap-client.js';
export {
  createThriftHostsClient,
  type ThriftClientOf,
  type ThriftHostsClient,
  type ThriftHostsOptions,
} from './hosts/hosts-client.js';
export type { HostSpec } from './hosts/host-address.js';
export type {
  HostCircuitOptions,
  ReconnectOptions,
  ThriftHostsConnectOptions,
} from './hosts/host-options.js';
export type { HostStatus } from './hosts/host-pool.js';
export type { ThriftModule } from './hosts/host-link.js';

export {
  isThriftCallOptions,
  thriftCallOptions,
  type ThriftCallOptions,
  type ThriftCallOptionsInit,
} from './call-options.js';
export type {
  PromisedClient,
  PromisedRpc,
  RpcMethodOf,
  ThriftBreakerOptions,
  ThriftConnection,
  ThriftMethodPolicies,
  ThriftMethodPolicy,
} from './types.js';
export {
  DEFAULT_THRIFT_FAILURES,
  isDeclaredThriftException,
  THRIFT_FAILURE_CATEGORIES,
  thriftFailureCategory,
  type ThriftFailure,
  type ThriftFailureCategory,
} from '../classify/thrift-errors.js';
export { DEFAULT_THRIFT_TIMEOUT_MS } from './method-runtime.js';
export {
  isThriftTimeoutError,
  isThriftTransportError,
  ThriftTimeoutError,
  ThriftTransportError,
  type ThriftTransportReason,
} from '../classify/thrift-call-errors.js';
export {
  createThriftProbe,
  type NoArgRpcOf,
  type ThriftProbe,
  type ThriftProbeOptions,
} from './probe.js';
