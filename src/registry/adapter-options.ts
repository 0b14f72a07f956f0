/**
 * The part of an adapter's options that the gRPC interceptor and the Thrift wrapper check the
 * same way: an options object with known keys only, an optional `CircuitRegistry`, `defaults`
 * and `methods` policies, and every method key's merged policy valid as a whole.
 */
import { ConfigError } from '../core/errors.js';
import { resolveCircuitPolicy } from '../core/policy.js';
import { hasMethods, readOptions } from '../core/validate.js';
import type { CircuitRegistry } from './circuit-registry.js';
import {
  resolveMethodPolicy,
  validateMethodPolicies,
  validateMethodPolicy,
  type MethodPolicy,
} from './method-policy.js';

/** What `readAdapterOptions` checked and returns. */
export interface AdapterOptions<F> {
  /** The options object itself, for the adapter's own keys. */
  readonly raw: Readonly<Record<string, unknown>>;
  readonly registry: CircuitRegistry | undefined;
  readonly defaults: MethodPolicy<F> | undefined;
  readonly methods: Readonly<Record<string, MethodPolicy<F>>>;
  /** The merged policy of a method key, as its calls will see it. */
  resolve(key: string): MethodPolicy<F>;
}

/**
 * @param known every option name the adapter accepts
 * @param validateFailure checks one `failOn`/`ignore` entry
 * @param keysOf the lookup chain of a method key, most specific first (e.g. `[key, '*']`)
 * @param checkKey throws `ConfigError` for a `methods` key the adapter cannot use
 * @throws ConfigError naming the offending option and the value received
 */
export function readAdapterOptions<F>(
  options: unknown,
  known: ReadonlySet<string>,
  validateFailure: (f: unknown, path: string) => F,
  keysOf: (key: string) => readonly string[],
  checkKey: (key: string) => void,
): AdapterOptions<F> {
  // Read once into a copy: the adapter's own keys are then read from it, never from `options`.
  const raw = readOptions(options === undefined ? {} : options, known, 'options');
  const registry = raw.registry as CircuitRegistry | undefined;
  // Duck-typed (a registry from another copy of this package is welcome), on every method the
  // adapters call: `get` alone would let a Map through, to fail on the first call.
  if (
    registry !== undefined &&
    !hasMethods(registry, 'registry', 'get', 'find', 'onStateChange', 'recordFallback')
  ) {
    throw new ConfigError('registry', 'must be a CircuitRegistry', registry);
  }
  const defaults =
    raw.defaults === undefined
      ? undefined
      : validateMethodPolicy<F>(raw.defaults, 'defaults', validateFailure);
  const methods = validateMethodPolicies<F>(raw.methods, 'methods', validateFailure);
  for (const key of Object.keys(methods)) if (key !== '*') checkKey(key);
  const resolve = (key: string) => resolveMethodPolicy(keysOf(key), defaults, methods);
  // A merge of valid policies can still be invalid as a whole (e.g. slowCallRate from one key
  // and no slowCallMs anywhere): check what every key would resolve to.
  // The paths are for an error no input reaches today (trip and openMs merge whole, and a
  // slowCallRate always keeps the slowCallMs its own entry had to name), hence the directives.
  for (const key of ['*', ...Object.keys(methods)]) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: see above
    const path = key === '*' ? 'defaults' : `methods[${JSON.stringify(key)}]`;
    // Stryker disable next-line StringLiteral: see above
    resolveCircuitPolicy(resolve(key).circuit, `${path}.circuit`);
  }
  return { raw, registry, defaults, methods, resolve };
}
