/**
 * `rpc-breaker/grpc`: the gRPC adapter on its own (also exported by `rpc-breaker`). Its type
 * declarations need no @grpc/grpc-js types; the registry, policies and errors come from
 * `rpc-breaker` and are the same classes whichever entry point loads them.
 */
export { createGrpcBreakerInterceptor } from './interceptor.js';
export {
  createGrpcBreakerClientOptions,
  type GrpcBreakerClientExtras,
  type GrpcBreakerClientOptions,
} from './client-options.js';
export { DEFAULT_GRPC_UNARY_TIMEOUT_MS } from './method-runtime.js';
export type { GrpcBreakerOptions, GrpcMethodPolicy, GrpcPolicyFailure } from './options.js';
export type { GrpcInterceptor, GrpcStatusCode, GrpcUnaryClient } from './grpc-types.js';
export {
  DEFAULT_GRPC_FAILURES,
  DEFAULT_GRPC_IGNORED,
  GRPC_STATUS,
  type GrpcStatusName,
} from '../classify/grpc-status.js';
export {
  createGrpcHealthProbe,
  GRPC_HEALTH_CHECK_PATH,
  type GrpcHealthProbe,
  type GrpcHealthProbeClient,
  type GrpcHealthProbeOptions,
} from './health-probe.js';
export type { GrpcPackageDefinition, IdempotencyLevel } from './idempotency.js';
export {
  endpointBreakerServiceConfig,
  registerEndpointBreaker,
  type EndpointServiceConfigOptions,
} from './endpoints/register.js';
export type { EndpointBreakerOptions, EndpointReadmission } from './endpoints/endpoint-options.js';
