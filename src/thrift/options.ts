/**
 * Options of `wrapThriftClient`, and their validation. Everything is checked when the client is
 * wrapped, so a bad option throws `ConfigError` at start-up rather than on the first call of some
 * rarely used method: every method policy on its own, that each `methods` key names an RPC method
 * of the client (or is `'*'`), and the merged policy of every method as its calls would see it.
 */
import { ConfigError } from '../core/errors.js';
import { readAdapterOptions } from '../registry/adapter-options.js';
import { validateThriftFailure, type ThriftFailure } from '../classify/thrift-errors.js';
import { CircuitRegistry } from '../registry/circuit-registry.js';
import type { RpcMethod } from './rpc-methods.js';
import type { ThriftConnection, ThriftMethodPolicy } from './types.js';
import { checkThriftIdempotency, rejectThriftHedging } from './idempotency.js';

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
  const {
    raw: o,
    registry,
    defaults,
    methods,
    resolve,
  } = readAdapterOptions<ThriftFailure>(
    options,
    KNOWN,
    validateThriftFailure,
    thriftMethodKeys,
    (key) => {
      if (!rpcs.has(key)) {
        throw new ConfigError(
          `methods[${JSON.stringify(key)}]`,
          `is not an RPC method of this client (known: ${[...rpcs.keys()].join(', ')}, or '*')`,
          key,
        );
      }
    },
  );
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
  checkThriftIdempotency(methods, resolve);
  rejectThriftHedging(defaults, methods);
  return Object.freeze({
    registry: registry ?? new CircuitRegistry(),
    service: (o.service as string | undefined) ?? defaultService(),
    connection,
    defaults,
    methods,
  });
}
