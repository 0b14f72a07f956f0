/**
 * rpc-breaker: circuit breakers for gRPC and Apache Thrift clients.
 * Explicit named exports, grouped by area; internals stay internal.
 */

// Core: the circuit engine (no RPC knowledge)
export { CircuitBreaker, type CircuitBreakerOptions } from './core/circuit-breaker.js';
export type { ExecuteContext, ExecuteOptions } from './core/execute-abortable.js';
export { ManualClock, systemClock, type Clock } from './core/clock.js';
export type { DisposableHandle } from './core/disposable.js';
export { CircuitOpenError, ConfigError, isCircuitOpenError, isConfigError } from './core/errors.js';
export {
  resolveCircuitPolicy,
  type CircuitPolicy,
  type OpenBackoff,
  type ProbeContext,
  type ResolvedCircuitPolicy,
  type TripPolicy,
} from './core/policy.js';
export type {
  CircuitSnapshot,
  CircuitState,
  Outcome,
  Permit,
  RejectReason,
  StateChangeReason,
  TripReason,
} from './core/types.js';

// Shared state
export type {
  CircuitSync,
  SharedCircuitState,
  StateStore,
  SyncedCircuit,
} from './core/circuit-sync.js';
export { MemoryStateStore } from './storage/memory-state-store.js';

// Registry and per-method policy
export {
  CircuitRegistry,
  type CallEvent,
  type CircuitRegistryOptions,
  type ControlAction,
  type ControlEvent,
  type EvictEvent,
  type FallbackEvent,
  type RejectEvent,
  type StateChangeEvent,
  type WarningEvent,
} from './registry/circuit-registry.js';
export type { MethodPolicy } from './registry/method-policy.js';
export type { CallContext, RpcSystem } from './classify/call-context.js';

// Fallbacks and retries (RPC-free building blocks the adapters use)
export type { FallbackOptions, FallbackValue } from './fallback/fallback-options.js';
export type { RetryOptions } from './retry/retry-options.js';
export type { HedgingOptions } from './retry/hedging-options.js';

// gRPC (@grpc/grpc-js is a peer dependency; the published types need none of it). Also on its own
// as 'rpc-breaker/grpc', as is Thrift as 'rpc-breaker/thrift'.
export { createGrpcBreakerInterceptor } from './grpc/interceptor.js';
export {
  createGrpcBreakerClientOptions,
  type GrpcBreakerClientExtras,
  type GrpcBreakerClientOptions,
} from './grpc/client-options.js';
export { DEFAULT_GRPC_UNARY_TIMEOUT_MS } from './grpc/method-runtime.js';
export {
  endpointBreakerServiceConfig,
  registerEndpointBreaker,
  type EndpointServiceConfigOptions,
} from './grpc/endpoints/register.js';
export type {
  EndpointBreakerOptions,
  EndpointReadmission,
} from './grpc/endpoints/endpoint-options.js';
export type { GrpcBreakerOptions, GrpcMethodPolicy, GrpcPolicyFailure } from './grpc/options.js';
export type { GrpcInterceptor, GrpcStatusCode, GrpcUnaryClient } from './grpc/grpc-types.js';
export {
  DEFAULT_GRPC_FAILURES,
  DEFAULT_GRPC_IGNORED,
  GRPC_STATUS,
  type GrpcStatusName,
} from './classify/grpc-status.js';

// Thrift (thrift is a peer dependency)
export { wrapThriftClient } from './thrift/wrap-client.js';
export {
  createThriftHostsClient,
  type ThriftClientOf,
  type ThriftHostsClient,
  type ThriftHostsOptions,
} from './thrift/hosts/hosts-client.js';
export type { HostSpec } from './thrift/hosts/host-address.js';
export type {
  HostCircuitOptions,
  ReconnectOptions,
  ThriftHostsConnectOptions,
} from './thrift/hosts/host-options.js';
export type { HostStatus } from './thrift/hosts/host-pool.js';
export type { ThriftModule } from './thrift/hosts/host-link.js';

export {
  isThriftCallOptions,
  thriftCallOptions,
  type ThriftCallOptions,
  type ThriftCallOptionsInit,
} from './thrift/call-options.js';
export type {
  PromisedClient,
  PromisedRpc,
  RpcMethodOf,
  ThriftBreakerOptions,
  ThriftConnection,
  ThriftMethodPolicies,
  ThriftMethodPolicy,
} from './thrift/types.js';
export {
  DEFAULT_THRIFT_FAILURES,
  isDeclaredThriftException,
  THRIFT_FAILURE_CATEGORIES,
  thriftFailureCategory,
  type ThriftFailure,
  type ThriftFailureCategory,
} from './classify/thrift-errors.js';
export { DEFAULT_THRIFT_TIMEOUT_MS } from './thrift/method-runtime.js';
export type { ThriftTransportReason } from './classify/thrift-call-errors.js';
export {
  isThriftTimeoutError,
  isThriftTransportError,
  ThriftTimeoutError,
  ThriftTransportError,
} from './classify/thrift-call-errors.js';
export { isThriftFrameError, ThriftFrameError } from './thrift/frame-guard.js';

// Observability (prom-client loads only from 'rpc-breaker/prometheus', OpenTelemetry from
// 'rpc-breaker/opentelemetry')
export {
  createStatusHandler,
  type StatusHandler,
  type StatusHandlerOptions,
} from './metrics/status-handler.js';
export {
  createControlHandler,
  type ControlHandler,
  type ControlHandlerOptions,
} from './metrics/control-handler.js';

// Health-check probes for half-open circuits (CircuitPolicy.halfOpenProbe) and idempotency
export {
  createGrpcHealthProbe,
  GRPC_HEALTH_CHECK_PATH,
  type GrpcHealthProbe,
  type GrpcHealthProbeClient,
  type GrpcHealthProbeOptions,
} from './grpc/health-probe.js';
export type { GrpcPackageDefinition, IdempotencyLevel } from './grpc/idempotency.js';
export {
  createThriftProbe,
  type NoArgRpcOf,
  type ThriftProbe,
  type ThriftProbeOptions,
} from './thrift/probe.js';
