/**
 * Options of `wrapThriftClient`, and their validation. Everything is checked when the client is
 * wrapped, so a bad option throws `ConfigError` at start-up rather than on the first call of some
 * rarely used method: every method policy on its own, that each `methods` key names an RPC method
 * of the client (or is `'*'`), and the merged policy of every method as its calls would see it.
 */
import { ConfigError } from '../core/errors.js';
import { resolveCircuitPolicy } from '../core/policy.js';
import { rejectUnknownKeys } from '../core/validate.js';
import { validateThriftFailure, type ThriftFailure } from '../classify/thrift-errors.js';
import {
  resolveMethodPolicy,
  validateMethodPolicies,
  validateMethodPolicy,
} from '../registry/method-policy.js';
import { CircuitRegistry } from '../registry/circuit-registry.js';
import type { RpcMethod } from './rpc-methods.js';
import type { ThriftConnection, ThriftMethodPolicy } from './types.js';
import { checkThriftIdempotency } from './idempotency.js';

/** Options after validation; frozen. */
export interface ValidatedThriftOptions {
  readonly registry: CircuitRegistry;
  readonly service: string;
  readonly connection: ThriftConnection | undefined;
  readonly defaults: ThriftMethodPolicy | undefined;
  readonly methods: Readonly<Record<string, ThriftMethodPolicy>>;
}

const KNOWN = new Set(['connection', 'registry', 'service', 'defaults', 'methods']);

/** The method keys to look up for a call of `method`, most specific first. */
export function thriftMethodKeys(method: string): readonly string[] {
  return [method, '*'];
}

/**
 * Validates the wrapper's options against the client's RPC methods.
 * @param defaultService the service name to use when `service` is not given
 * @throws ConfigError naming the offending option (e.g. `methods["getItem"].failOn[0]`) and the value
 */
export function validateThriftOptions(
  options: unknown,
  rpcs: ReadonlyMap<string, RpcMethod>,
  defaultService: () => string,
): ValidatedThriftOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('options', 'must be an object', options);
  }
  const o = options as Record<string, unknown>;
  rejectUnknownKeys(o, KNOWN, 'options');
  const registry = o.registry as CircuitRegistry | undefined;
  if (registry !== undefined && typeof (registry as { get?: unknown })?.get !== 'function') {
    throw new ConfigError('registry', 'must be a CircuitRegistry', registry);
  }
  const connection = o.connection as ThriftConnection | undefined;
  if (connection !== undefined && typeof (connection as { on?: unknown })?.on !== 'function') {
    throw new ConfigError(
      'connection',
      'must be the thrift connection the client was created on (an event emitter)',
      connection,
    );
  }
  if (o.service !== undefined && (typeof o.service !== 'string' || o.service.length === 0)) {
    throw new ConfigError('service', 'must be a non-empty string', o.service);
  }
  const defaults =
    o.defaults === undefined
      ? undefined
      : validateMethodPolicy<ThriftFailure>(o.defaults, 'defaults', validateThriftFailure);
  const methods = validateMethodPolicies<ThriftFailure>(
    o.methods,
    'methods',
    validateThriftFailure,
  );
  for (const key of Object.keys(methods)) {
    if (key !== '*' && !rpcs.has(key)) {
      throw new ConfigError(
        `methods[${JSON.stringify(key)}]`,
        `is not an RPC method of this client (known: ${[...rpcs.keys()].join(', ')}, or '*')`,
        key,
      );
    }
  }
  // A merge of valid policies can still be invalid as a whole (e.g. slowCallRate from one key
  // and no slowCallMs anywhere): check what every method would resolve to.
  for (const key of ['*', ...Object.keys(methods)]) {
    const merged = resolveMethodPolicy(thriftMethodKeys(key), defaults, methods);
    const path = key === '*' ? 'defaults' : `methods[${JSON.stringify(key)}]`;
    resolveCircuitPolicy(merged.circuit, `${path}.circuit`);
  }
  checkThriftIdempotency(methods, (key) =>
    resolveMethodPolicy(thriftMethodKeys(key), defaults, methods),
  );
  return Object.freeze({
    registry: registry ?? new CircuitRegistry(),
    service: (o.service as string | undefined) ?? defaultService(),
    connection,
    defaults,
    methods,
  });
}
