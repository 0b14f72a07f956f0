/**
 * `createThriftHostsClient`: one generated Thrift client over N hosts, each with its own
 * connection (reconnecting by itself) and circuit, round robin over the healthy ones, one
 * failover for idempotent methods; the method circuits, retries, fallbacks, deadlines and
 * per-call options of `wrapThriftClient` on top (a method circuit now opens only when the whole
 * method is sick, not one host).
 */
import { ConfigError } from '../../core/errors.js';
import { readOptions } from '../../core/validate.js';
import { discoverRpcMethods, defaultServiceName } from '../rpc-methods.js';
import { validateThriftOptions } from '../options.js';
import { MethodRuntimes } from '../method-runtime.js';
import { Deadlines } from '../deadlines.js';
import { guardedMethod } from '../wrap-client.js';
import type { ClientEnv } from '../guarded-call.js';
import type { PromisedRpc, RpcMethodOf, ThriftBreakerOptions } from '../types.js';
import { readHosts, type HostSpec } from './host-address.js';
import {
  HOST_OPTION_KEYS,
  validateHostsOptions,
  type ThriftHostsConnectOptions,
} from './host-options.js';
import type { ThriftModule } from './host-link.js';
import { HostPool, type HostStatus } from './host-pool.js';

const WRAPPER_KEYS = ['registry', 'service', 'defaults', 'methods'];
const KNOWN: ReadonlySet<string> = new Set([...HOST_OPTION_KEYS, ...WRAPPER_KEYS]);

/** The client type a generated service module (`{ Client }`) or client class makes. */
export type ThriftClientOf<S> = S extends { Client: abstract new (...args: any[]) => infer C }
  ? C
  : S extends abstract new (...args: any[]) => infer C
    ? C
    : object;

/** Options of `createThriftHostsClient`: the hosts, and the wrapper's method-level options. */
export type ThriftHostsOptions<C> = ThriftHostsConnectOptions &
  Omit<ThriftBreakerOptions<C>, 'connection' | 'target'>;

/** What `createThriftHostsClient` returns: the client's RPC methods, and the host list. */
export type ThriftHostsClient<C> = { [K in RpcMethodOf<C>]: PromisedRpc<C[K]> } & {
  /** Replaces the host list at run time; calls in flight on a removed host finish there. */
  setHosts(hosts: readonly HostSpec[]): void;
  /** Each host: its circuit, whether it is connected or ejected, its calls in flight. */
  hosts(): HostStatus[];
  /** Closes every connection and stops reconnecting; later calls reject. */
  close(): Promise<void>;
};

/**
 * A client of `service` over several hosts.
 * @param thrift your own npm `thrift` module (its default import)
 * @param service the generated service module (`import Catalog from './gen-nodejs/Catalog.js'`)
 *   or its `Client` class, either generated style
 * @throws ConfigError naming the option and the value
 */
export function createThriftHostsClient<S>(
  thrift: ThriftModule,
  service: S,
  options: ThriftHostsOptions<ThriftClientOf<S>>,
): ThriftHostsClient<ThriftClientOf<S>> {
  const t = thrift as Partial<ThriftModule> | null;
  if (typeof t?.createConnection !== 'function' || typeof t.createClient !== 'function') {
    throw new ConfigError('thrift', "must be the npm 'thrift' module", thrift);
  }
  const o = readOptions(options, KNOWN, '');
  const hostOptions = validateHostsOptions(o);
  if (hostOptions.http && typeof t.createHttpConnection !== 'function') {
    throw new ConfigError('http', "needs the npm 'thrift' module's createHttpConnection", o.http);
  }
  const wrapperOptions: Record<string, unknown> = { connection: null, target: false };
  for (const [k, v] of Object.entries(o)) if (!HOST_OPTION_KEYS.has(k)) wrapperOptions[k] = v;
  const ctx = {
    thrift,
    service,
    options: hostOptions,
    deadlines: new Deadlines(),
    random: Math.random,
  };
  // The generated methods live on the client class's prototype: one template finds them, and
  // they run on any host's client.
  const template = makeTemplate(thrift, service);
  const rpcs = discoverRpcMethods(template);
  const validated = validateThriftOptions(wrapperOptions, rpcs, () => defaultServiceName(template));
  const pool = new HostPool(ctx, validated.registry, validated.service, hostOptions.hosts);
  const env: ClientEnv = {
    client: template,
    watch: undefined,
    deadlines: ctx.deadlines,
    registry: validated.registry,
    start: (rt, args, timeoutMs, owner) => pool.start(rt, args, timeoutMs, owner),
  };
  const runtimes = new MethodRuntimes(validated);
  const out: Record<string, unknown> = {};
  for (const rpc of rpcs.values()) out[rpc.name] = guardedMethod(env, runtimes, rpc);
  out.setHosts = (hosts: unknown) => pool.setHosts(readHosts(hosts, 'hosts'));
  out.hosts = () => pool.hosts();
  out.close = () => {
    pool.close();
    return Promise.resolve();
  };
  return Object.freeze(out) as ThriftHostsClient<ThriftClientOf<S>>;
}

/** A client of `service` on no connection, only to read its RPC methods and name. */
function makeTemplate(thrift: ThriftModule, service: unknown): object {
  const Client = (service as { Client?: unknown } | null)?.Client ?? service;
  if (typeof Client !== 'function') {
    throw new ConfigError(
      'service',
      'must be a generated service module or its Client class',
      service,
    );
  }
  try {
    return new (Client as new (output: unknown, protocol: unknown) => object)(undefined, undefined);
  } catch {
    throw new ConfigError('service', 'could not make a client of it', service);
  }
}
