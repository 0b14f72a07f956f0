/**
 * The few @grpc/grpc-js types the public API shows, written out structurally.
 *
 * The published declarations must not import @grpc/grpc-js: a Thrift-only TypeScript project
 * (without grpc-js installed, `skipLibCheck: false`) would fail on `Cannot find module
 * '@grpc/grpc-js'` just by importing `rpc-breaker`. Each type here accepts what grpc-js hands out
 * (a `status` value, a `Client`, an `Interceptor`) and is accepted where grpc-js expects it; the
 * modules that do the work keep using grpc-js's own types internally.
 */
import type { GRPC_STATUS } from '../classify/grpc-status.js';

/** A gRPC status number, 0..16; every grpc-js `status` value is one. */
export type GrpcStatusCode = (typeof GRPC_STATUS)[keyof typeof GRPC_STATUS];

/**
 * A grpc-js client interceptor (`Interceptor` of @grpc/grpc-js): pass it in a client's
 * `interceptors` option or a call's. Typed loosely so that these declarations need no grpc-js
 * types; any grpc-js `Interceptor` is one and it is accepted wherever grpc-js wants one.
 */
export type GrpcInterceptor = (options: any, nextCall: any) => any;

/**
 * What a health probe needs of a client: grpc-js's generic unary call `makeUnaryRequest`, which
 * every generated client has (any grpc-js `Client` is one).
 */
export interface GrpcUnaryClient {
  makeUnaryRequest(...args: any[]): unknown;
}
