/**
 * `registerEndpointBreaker`: per-endpoint circuits for grpc-js channels, as a load-balancing
 * policy chosen in the channel's service config.
 */
import type * as Grpc from '@grpc/grpc-js';
import { ConfigError } from '../../core/errors.js';
import { hasMethods, isPlainObject, readOption, readOptions } from '../../core/validate.js';
import { registerEndpointPolicy } from './endpoint-balancer.js';
import {
  readPercent,
  validateEndpointOptions,
  type EndpointBreakerOptions,
} from './endpoint-options.js';

/**
 * Registers the per-endpoint breaker as a grpc-js load-balancing policy and returns its name
 * (`'rpc_breaker'` unless `options.name` says otherwise). Channels choose it in their service
 * config, wrapping a child policy; see `endpointBreakerServiceConfig`.
 *
 * Each endpoint address gets a circuit in `options.registry` (named `endpoint:<address>`, or
 * `endpoint:<scope>/<address>`), fed by the outcome of every call the channel sends to it. An
 * endpoint whose circuit is open gets no picks, within the ejection cap; it comes back through
 * the circuit's half-open state (a few real calls, or a health check on its own connection).
 *
 * @param grpc your @grpc/grpc-js module (its namespace import): the policy
 *   must be registered in the copy your channels use
 * @example
 * const registry = new CircuitRegistry();
 * registerEndpointBreaker(grpc, { registry, circuit: { slowCallMs: 200 } });
 * const client = new CatalogClient('ipv4:10.0.0.1:50051,10.0.0.2:50051', credentials, {
 *   'grpc.service_config': JSON.stringify(endpointBreakerServiceConfig({ scope: 'catalog' })),
 *   interceptors: [createGrpcBreakerInterceptor({ registry, target: 'catalog' })],
 * });
 * @throws ConfigError when an option is invalid, or `grpc` is not the grpc-js module
 */
export function registerEndpointBreaker(
  grpc: GrpcModule,
  options?: EndpointBreakerOptions,
): string {
  const g = grpc as Partial<typeof Grpc> | undefined;
  if (!hasMethods(readOption(g, 'experimental', 'grpc'), 'grpc', 'registerLoadBalancerType')) {
    throw new ConfigError('grpc', 'must be the @grpc/grpc-js module (1.10 or newer)', grpc);
  }
  return registerEndpointPolicy(g as typeof Grpc, validateEndpointOptions(options));
}

/**
 * The `@grpc/grpc-js` module, as `registerEndpointBreaker` takes it (typed structurally, so that
 * the package's declarations need no @grpc/grpc-js types).
 */
export type GrpcModule = { readonly experimental: object };

const SERVICE_CONFIG_KEYS: ReadonlySet<string> = new Set([
  'policy',
  'childPolicy',
  'maxEjectionPercent',
  'scope',
]);

/** Options of `endpointBreakerServiceConfig`. */
export interface EndpointServiceConfigOptions {
  /** The registered policy name; default `'rpc_breaker'`. */
  policy?: string;
  /** Child policy configs, first known one used; default `[{ round_robin: {} }]`. */
  childPolicy?: object[];
  /** Overrides the registration's `maxEjectionPercent` for this channel. */
  maxEjectionPercent?: number;
  /** Circuit names become `endpoint:<scope>/<address>`. */
  scope?: string;
}

/**
 * A grpc service config choosing the per-endpoint breaker; pass it JSON-encoded as the channel
 * option `'grpc.service_config'`. Checked here because grpc-js silently falls back to pick_first
 * when a load-balancing config does not parse.
 * @throws ConfigError naming the option and the value
 */
export function endpointBreakerServiceConfig(options: EndpointServiceConfigOptions = {}): {
  loadBalancingConfig: object[];
} {
  const {
    policy = 'rpc_breaker',
    childPolicy,
    maxEjectionPercent,
    scope,
  } = readOptions(options, SERVICE_CONFIG_KEYS, '', 'ignore') as EndpointServiceConfigOptions;
  if (typeof policy !== 'string') throw new ConfigError('policy', 'must be a string', policy);
  if (
    childPolicy !== undefined &&
    (!Array.isArray(childPolicy) || !childPolicy.every(isPlainObject))
  )
    throw new ConfigError('childPolicy', 'must be a list of policy configs', childPolicy);
  if (maxEjectionPercent !== undefined) readPercent(maxEjectionPercent, 'maxEjectionPercent');
  if (scope !== undefined && (typeof scope !== 'string' || scope === ''))
    throw new ConfigError('scope', 'must be a non-empty string', scope);
  const config: Record<string, unknown> = { child_policy: childPolicy ?? [{ round_robin: {} }] };
  if (maxEjectionPercent !== undefined) config.max_ejection_percent = maxEjectionPercent;
  if (scope !== undefined) config.scope = scope;
  return { loadBalancingConfig: [{ [policy]: config }] };
}
