/**
 * Options of `wrapThriftClient`, and their validation. Everything is checked when the client is
 * wrapped, so a bad option throws `ConfigError` at start-up rather than on the first call of some
 * rarely used method: every method policy on its own, that each `methods` key names an RPC method
 * of the client (or is `'*'`), and the merged policy of every method as its calls would see it.
 */
import { ConfigError } from '../core/errors.js';
import { hasMethods } from '../core/validate.js';
import { readAdapterOptions } from '../registry/adapter-options.js';
import { validateThriftFailure, type ThriftFailure } from '../classify/thrift-errors.js';
import { CircuitRegistry } from '../registry/circuit-registry.js';
import type { RpcMethod } from './rpc-methods.js';
import type { ThriftConnection, ThriftMethodPolicy } from './types.js';
import { checkThriftIdempotency, rejectThriftHedging } from './idempotency.js';
import { connectionTarget } from './connection-target.js';

/** Options after validation; frozen. */
export interface ValidatedThriftOptions {
  readonly registry: CircuitRegistry;
  readonly service: string;
  /**
   * What circuit names start with: `<target>/<service>` with a `target`, else `service`.
   */
  readonly circuitPrefix: string;
  readonly connection: ThriftConnection | null;
  readonly defaults: ThriftMethodPolicy | undefined;
  readonly methods: Readonly<Record<string, ThriftMethodPolicy>>;
}

const KNOWN = new Set(['connection', 'registry', 'service', 'defaults', 'methods', 'target']);

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
  const connection = o.connection as ThriftConnection | null | undefined;
  if (connection === undefined) {
    throw new ConfigError(
      'connection',
      'is required: the connection the client was created on, whose refused or dropped ' +
        "connection would otherwise emit an unhandled 'error' that ends the process (null opts " +
        'out when you listen for its errors yourself)',
      connection,
    );
  }
  if (connection !== null && !hasMethods(connection, 'connection', 'on')) {
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
  for (const [key, policy] of Object.entries(methods)) {
    // A oneway method has no reply to stand in for: its fallback could never be served. Through
    // `defaults` or '*' a fallback simply does not apply to oneway methods.
    if (policy.fallback && rpcs.get(key)?.oneway)
      throw new ConfigError(
        `methods[${JSON.stringify(key)}].fallback`,
        'is set on a oneway method, which has no reply a fallback could stand in for',
        policy.fallback,
      );
  }
  const service = (o.service as string | undefined) ?? defaultService();
  const target = readTarget(o.target, connection);
  return Object.freeze({
    registry: registry ?? new CircuitRegistry(),
    service,
    circuitPrefix: target === undefined ? service : `${target}/${service}`,
    connection,
    defaults,
    methods,
  });
}

/**
 * The `target` option: a name of the user's, or `true` for the connection's `host:port` (or
 * URL), which is also the default when the connection names its peer; `false` for none.
 * @throws ConfigError when it is neither, or `true` with a connection that names no peer
 */
function readTarget(target: unknown, connection: unknown): string | undefined {
  if (target === undefined) return connectionTarget(connection);
  if (target === false) return undefined;
  if (typeof target === 'string' && target.trim() !== '') return target;
  if (target === true) {
    const t = connectionTarget(connection);
    if (t === undefined)
      throw new ConfigError('target', 'is true, but the connection names no host to use', target);
    return t;
  }
  throw new ConfigError('target', 'must be a non-empty string or true', target);
}
