/**
 * A ready-made half-open probe for Thrift: one call of a chosen no-argument method (a `ping`, a
 * `status`) on the user's own generated client, with its own deadline.
 *
 * The call runs as one attempt of the wrapper (attempt.ts): with either generated style, it ends
 * on the reply, at its deadline (the pending reply slot is then forgotten, so a late reply is
 * dropped), or — given the connection — as soon as the connection closes or errors; a probe made
 * while the connection is down fails at once instead of being queued by npm thrift. It does not
 * go through any circuit, so the circuit being probed cannot reject it.
 */
import { ConfigError } from '../core/errors.js';
import { hasMethods, readOptions } from '../core/validate.js';
import { requireTimerMs } from '../core/timer-delay.js';
import type { ProbeContext } from '../core/policy.js';
import { startAttempt, type AttemptEnv } from './attempt.js';
import { ConnectionWatch } from './connection-watch.js';
import { Deadlines } from './deadlines.js';
import { discoverRpcMethods } from './rpc-methods.js';
import type { RpcMethodOf, ThriftConnection } from './types.js';

/** The RPC methods of a generated client type `C` that can be called without arguments. */
export type NoArgRpcOf<C> = {
  [K in RpcMethodOf<C>]: C[K] extends () => unknown ? K : never;
}[RpcMethodOf<C>];

/** Options of `createThriftProbe`. */
export interface ThriftProbeOptions {
  /** Deadline of each probe call, ms; default 1_000. */
  timeoutMs?: number;
  /**
   * The connection the client was created on: a probe then fails as soon as the connection
   * closes or errors, and at once while it is down. Without it, only the deadline ends a probe
   * on a dead connection.
   */
  connection?: ThriftConnection;
  /** Judges the reply; default: any reply is healthy. A rejected reply fails the probe. */
  accept?: (reply: unknown) => boolean;
}

/** A function to use as `circuit.halfOpenProbe`. */
export type ThriftProbe = (ctx?: ProbeContext) => Promise<void>;

const DEFAULT_TIMEOUT_MS = 1_000;

/**
 * Creates a half-open probe that calls `client[method]()`. The probe resolves when the method
 * replies (and `accept` approves the reply), and rejects with the call's error otherwise —
 * a declared exception, a `TApplicationException`, `ThriftTimeoutError` after `timeoutMs`, or
 * `ThriftTransportError` when the connection fails.
 *
 * Pass the generated client itself (the one given to `wrapThriftClient`), not the wrapped one:
 * both then share the connection and its replies, and the probe skips the wrapper's circuits.
 *
 * @example
 * const client = thrift.createClient(Catalog, connection);
 * const probe = createThriftProbe(client, 'ping', { timeoutMs: 300, connection });
 * const catalog = wrapThriftClient(client, {
 *   connection,
 *   defaults: { circuit: { halfOpenProbe: probe } },
 * });
 * @throws ConfigError when `client` is not a generated client, `method` is not one of its RPC
 *   methods, takes arguments or is oneway, or an option is invalid
 */
export function createThriftProbe<C extends object>(
  client: C,
  method: NoArgRpcOf<C>,
  options: ThriftProbeOptions = {},
): ThriftProbe {
  const rpcs = discoverRpcMethods(client);
  const rpc = rpcs.get(method as string);
  if (!rpc) {
    throw new ConfigError(
      'method',
      `is not an RPC method of this client (known: ${[...rpcs.keys()].join(', ')})`,
      method,
    );
  }
  if (rpc.arity !== 0) throw new ConfigError('method', 'must take no arguments', method);
  if (rpc.oneway) throw new ConfigError('method', 'must not be oneway (it has no reply)', method);
  const { timeoutMs = DEFAULT_TIMEOUT_MS, connection, accept } = validate(options);
  const env: AttemptEnv = {
    client,
    watch: connection ? new ConnectionWatch(connection) : undefined,
    deadlines: new Deadlines(),
  };
  return () =>
    new Promise<void>((resolve, reject) => {
      startAttempt(env, rpc, [], timeoutMs, {
        attemptEnded(ok, valueOrError) {
          if (!ok) return reject(valueOrError);
          if (!accept) return resolve();
          try {
            if (accept(valueOrError)) resolve();
            else reject(new Error(`${rpc.name} replied with an unhealthy answer`));
          } catch (error) {
            reject(error);
          }
        },
      });
    });
}

const PROBE_KEYS: ReadonlySet<string> = new Set(['timeoutMs', 'connection', 'accept']);

function validate(options: ThriftProbeOptions): ThriftProbeOptions {
  const o = readOptions(options, PROBE_KEYS, 'options') as ThriftProbeOptions;
  if (o.timeoutMs !== undefined) requireTimerMs(o.timeoutMs, 'options.timeoutMs');
  if (o.connection !== undefined && !hasMethods(o.connection, 'options.connection', 'on'))
    throw new ConfigError(
      'options.connection',
      'must be the thrift connection the client was created on',
      o.connection,
    );
  if (o.accept !== undefined && typeof o.accept !== 'function')
    throw new ConfigError('options.accept', 'must be a function (reply) => boolean', o.accept);
  return o;
}
