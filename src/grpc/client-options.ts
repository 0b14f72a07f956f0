/**
 * `createGrpcBreakerClientOptions`: the breaker as grpc-js client options, so that it learns the
 * channel's target by itself. An interceptor alone cannot see which server its client talks to
 * (see channel-target.ts); these options add a `callInvocationTransformer` that tells it, so
 * clients of different servers on one registry never share a circuit without anyone naming
 * targets.
 */
import { ConfigError } from '../core/errors.js';
import { stampChannelTarget, type GrpcCallProperties } from './channel-target.js';
import type { GrpcInterceptor } from './grpc-types.js';
import { createGrpcBreakerInterceptor } from './interceptor.js';
import type { GrpcBreakerOptions } from './options.js';

/** grpc-js client options carrying the breaker: spread them into a client's options. */
export interface GrpcBreakerClientOptions {
  /** The breaker interceptor (first, then the given `interceptors`). */
  interceptors: GrpcInterceptor[];
  /** Tells the breaker each call's channel target (and runs the given one first). */
  callInvocationTransformer: (props: any) => any;
}

/** What else the client options may carry, composed with the breaker's. */
export interface GrpcBreakerClientExtras {
  /** Interceptors of yours, run after (below) the breaker. */
  interceptors?: GrpcInterceptor[];
  /** A `callInvocationTransformer` of yours, run before the breaker's. */
  callInvocationTransformer?: (props: any) => any;
}

/**
 * The breaker as grpc-js client options:
 * `new Catalog(address, creds, createGrpcBreakerClientOptions({ registry }))`, or spread them
 * with other options. Unless `options.target` is given, each method's circuit is named
 * `<channel target><path>` (`10.0.0.7:50051/shop.Catalog/GetItem`; grpc-js's default `dns:`
 * scheme left out), so two clients of different servers on one registry never share one.
 * @param options the interceptor's options (`createGrpcBreakerInterceptor`)
 * @param extras interceptors and a `callInvocationTransformer` of yours to compose with
 * @throws ConfigError as `createGrpcBreakerInterceptor` does, or naming a bad `extras` entry
 */
export function createGrpcBreakerClientOptions(
  options?: GrpcBreakerOptions,
  extras: GrpcBreakerClientExtras = {},
): GrpcBreakerClientOptions {
  const { interceptors = [], callInvocationTransformer } = extras;
  if (!Array.isArray(interceptors) || interceptors.some((i) => typeof i !== 'function')) {
    throw new ConfigError('extras.interceptors', 'must be an array of interceptors', interceptors);
  }
  if (callInvocationTransformer !== undefined && typeof callInvocationTransformer !== 'function') {
    throw new ConfigError(
      'extras.callInvocationTransformer',
      'must be a function',
      callInvocationTransformer,
    );
  }
  return {
    interceptors: [createGrpcBreakerInterceptor(options), ...interceptors],
    callInvocationTransformer: stampChannelTarget<GrpcCallProperties>(callInvocationTransformer),
  };
}
