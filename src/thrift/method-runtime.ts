/**
 * Per-method runtime: the merged policy of one RPC method and the helpers built from it
 * (classifier, fallback, retry planner), made on the method's first call and cached.
 */
import type { CircuitPolicy } from '../core/policy.js';
import type { CallContext } from '../classify/call-context.js';
import {
  createThriftOutcomeClassifier,
  type ThriftOutcomeClassifier,
} from '../classify/thrift-outcome.js';
import { resolveMethodPolicy } from '../registry/method-policy.js';
import { thriftMethodKeys, type ValidatedThriftOptions } from './options.js';
import type { RpcMethod } from './rpc-methods.js';
import type { ThriftMethodPolicy } from './types.js';
import { createThriftFallback, type ThriftFallback } from './fallback-port.js';
import { createThriftRetry, type ThriftRetry } from './retry-port.js';
import { describeCircuit, type RpcAttributes } from '../registry/circuit-attributes.js';

/** Default deadline of a call, ms. */
export const DEFAULT_THRIFT_TIMEOUT_MS = 10_000;

/** What the wrapper knows about one RPC method. */
export interface MethodRuntime {
  readonly rpc: RpcMethod;
  /** Name of the circuit guarding it, `${service}/${method}` or `${target}/${service}/${method}`. */
  readonly circuit: string;
  readonly policy: ThriftMethodPolicy;
  /** The circuit part of the policy, handed to `registry.get`. */
  readonly circuitPolicy: CircuitPolicy | undefined;
  readonly classifier: ThriftOutcomeClassifier;
  /** Deadline of a call (all its attempts), ms. */
  readonly timeoutMs: number;
  /** Fallback answers and the response cache; never for oneway methods. */
  readonly fallback: ThriftFallback | undefined;
  /** Retries of failed calls; never for oneway or `idempotent: false` methods. */
  readonly retry: ThriftRetry | undefined;
}

/** Builds and caches `MethodRuntime`s by method name. */
export class MethodRuntimes {
  private readonly byName = new Map<string, MethodRuntime>();

  constructor(private readonly options: ValidatedThriftOptions) {}

  /** The runtime of `rpc`, made on first use. */
  get(rpc: RpcMethod): MethodRuntime {
    return this.byName.get(rpc.name) ?? this.create(rpc);
  }

  private create(rpc: RpcMethod): MethodRuntime {
    const { defaults, methods, service, registry } = this.options;
    const policy = resolveMethodPolicy(thriftMethodKeys(rpc.name), defaults, methods);
    const rt: MethodRuntime = Object.freeze({
      rpc,
      circuit: `${this.options.circuitPrefix}/${rpc.name}`,
      policy,
      circuitPolicy: policy.circuit,
      classifier: createThriftOutcomeClassifier(policy),
      timeoutMs: policy.timeoutMs ?? DEFAULT_THRIFT_TIMEOUT_MS,
      fallback: rpc.oneway ? undefined : createThriftFallback(policy, registry.clock),
      retry: rpc.oneway ? undefined : createThriftRetry(policy, registry.clock),
    });
    this.byName.set(rpc.name, rt);
    describeCircuit(registry, rt.circuit, thriftAttributes(service, rpc.name, this.options));
    return rt;
  }
}

/** The `CallContext` of a call, for `classify` and value fallbacks. */
export function thriftCallContext(
  rt: MethodRuntime,
  args: readonly unknown[],
  attempt: number,
): CallContext {
  return Object.freeze({
    system: 'thrift',
    method: rt.rpc.name,
    circuit: rt.circuit,
    request: args,
    metadata: EMPTY,
    attempt,
  });
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** Semantic-convention attributes of a Thrift method; the server from npm thrift's connection. */
function thriftAttributes(
  service: string,
  method: string,
  options: ValidatedThriftOptions,
): RpcAttributes {
  const { host, port } = (options.connection ?? {}) as { host?: unknown; port?: unknown };
  return {
    'rpc.system': 'apache_thrift',
    'rpc.service': service,
    'rpc.method': method,
    ...(typeof host === 'string' && host !== '' ? { 'server.address': host } : {}),
    ...(typeof port === 'number' ? { 'server.port': port } : {}),
  };
}
