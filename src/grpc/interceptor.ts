/**
 * `createGrpcBreakerInterceptor`: circuit breaking for @grpc/grpc-js clients, as a client
 * interceptor. One circuit per target and method path (`<target><path>`, or `circuitName(path,
 * target)`); every option is
 * validated when the interceptor is created; each method's merged policy is resolved on its first
 * call and cached.
 */
import type { InterceptingCall, Interceptor } from '@grpc/grpc-js';
import type { GrpcInterceptor } from './grpc-types.js';
import { describeCircuit, grpcAttributes } from '../registry/circuit-attributes.js';
import { CircuitRegistry } from '../registry/circuit-registry.js';
import type { CallEnv } from './call-types.js';
import { MethodRuntimes } from './method-runtime.js';
import { validateGrpcOptions, type GrpcBreakerOptions } from './options.js';
import { StreamCall } from './stream-call.js';
import { HedgedUnaryCall } from './hedged-call.js';
import { UnaryCall } from './unary-call.js';
import { channelTargetOf } from './channel-target.js';

/**
 * Creates a grpc-js client interceptor that guards every call with a circuit breaker.
 *
 * - Calls are classified by status: UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN,
 *   RESOURCE_EXHAUSTED and DATA_LOSS are failures by default, CANCELLED is ignored, every other
 *   status is a success (the server answered). A DEADLINE_EXCEEDED caused by `timeoutMs` is always
 *   a failure; a call the caller cancels is always ignored.
 * - A call the circuit rejects never reaches the network: it fails with UNAVAILABLE, details
 *   naming the circuit, and trailing metadata `x-circuit-state`, `x-retry-after-ms` and
 *   `x-circuit-reject-reason`; or, for unary and server-streaming methods with a fallback, it
 *   succeeds with the fallback and response metadata `x-fallback: cache|value`.
 * - Unary calls are retried per the method's `retry` policy, each attempt through the circuit.
 *
 * - Give `target` when clients to different servers share a registry: grpc-js does not show the
 *   channel to an interceptor, and circuits of different targets must not share state.
 *
 * @example
 * const client = new EchoClient(address, credentials.createInsecure(), {
 *   interceptors: [createGrpcBreakerInterceptor({ registry, target: address })],
 * });
 * @throws ConfigError when an option is invalid (the message names the option and the value)
 */
export function createGrpcBreakerInterceptor(options?: GrpcBreakerOptions): GrpcInterceptor {
  const validated = validateGrpcOptions(options);
  const registry = validated.registry ?? new CircuitRegistry();
  const runtimes = new MethodRuntimes(validated, registry.clock, (rt) =>
    describeCircuit(registry, rt.circuit, grpcAttributes(rt.path, rt.target)),
  );
  const interceptor: Interceptor = (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const env: CallEnv = {
      registry,
      method: runtimes.get(definition.path, channelTargetOf(callOptions)),
      options: callOptions,
      nextCall,
    };
    const call =
      definition.requestStream || definition.responseStream
        ? new StreamCall(env)
        : env.method.hedge
          ? new HedgedUnaryCall(env)
          : new UnaryCall(env);
    // grpc-js only calls the InterceptingCall interface on what an interceptor returns; a value
    // import of its class would make @grpc/grpc-js a hard dependency of the package entry.
    return call as unknown as InterceptingCall;
  };
  return interceptor;
}
