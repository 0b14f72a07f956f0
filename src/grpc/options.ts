/**
 * Options of `createGrpcBreakerInterceptor`, and their validation. Everything is checked when the
 * interceptor is created, so a bad option throws `ConfigError` at start-up rather than on the
 * first call of some rarely used method: every method policy on its own, each method key's
 * shape, and the merged policy of every key as a call to that key would see it.
 */
import { ConfigError } from '../core/errors.js';
import { readAdapterOptions } from '../registry/adapter-options.js';
import type { MethodPolicy } from '../registry/method-policy.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import { validateGrpcFailure, type GrpcStatusName } from '../classify/grpc-status.js';
import type { GrpcStatusCode } from './grpc-types.js';
import {
  checkIdempotency,
  checkPolicyIdempotency,
  readIdempotency,
  type GrpcPackageDefinition,
  type IdempotencyTable,
} from './idempotency.js';
import { checkMethodKeys, readKnownMethods, type KnownMethods } from './known-methods.js';

/** A status a gRPC method policy lists: a name (`'UNAVAILABLE'`) or a grpc-js `status` value. */
export type GrpcPolicyFailure = GrpcStatusName | GrpcStatusCode;

/** The policy of one gRPC method (or of a wildcard key). */
export type GrpcMethodPolicy = MethodPolicy<GrpcPolicyFailure>;

/** Options of `createGrpcBreakerInterceptor`. */
export interface GrpcBreakerOptions {
  /** Where circuits live; default: a private `CircuitRegistry` with default settings. */
  registry?: CircuitRegistry;
  /** Policy of every method; the entries of `methods` are merged over it. */
  defaults?: GrpcMethodPolicy;
  /**
   * Policies by method key: `'/pkg.Service/Method'`, `'/pkg.Service/*'` or `'*'`. The most
   * specific key wins and is merged over the less specific ones, then over `defaults`.
   */
  methods?: Record<string, GrpcMethodPolicy>;
  /**
   * What this interceptor's client talks to: the target it was created with
   * (`'dns:catalog:50051'`, `'10.0.0.7:50051'`) or a name of yours (`'catalog'`). Circuits of
   * different targets never share state: with a target, a method's circuit is named
   * `<target><path>` (e.g. `catalog/shop.Catalog/GetItem`). grpc-js does not show the channel to
   * interceptors, so give it whenever clients to different servers share a registry.
   * Default: none (circuits are named by the method path alone).
   */
  target?: string;
  /**
   * Name of the circuit guarding a method path, given the path and `target` (undefined when
   * not set); default: `<target><path>`, or the path alone without a target.
   */
  circuitName?: (path: string, target: string | undefined) => string;
  /**
   * The @grpc/proto-loader package definition of the services called. With it, only methods the
   * .proto marks `option idempotency_level = NO_SIDE_EFFECTS;` (or `IDEMPOTENT`), or whose policy
   * says `idempotent: true`, are ever retried or answered from the cache, and asking for either at
   * the own key of a method not known to be safe throws `ConfigError` (see idempotency.ts).
   */
  packageDefinition?: GrpcPackageDefinition;
  /**
   * The methods that exist, to check every `methods` key against (a typo would otherwise give a
   * policy that applies to nothing): a @grpc/proto-loader package definition, or a list of
   * method paths. Unlike `packageDefinition`, it changes nothing else. Default: keys are checked
   * for their shape only (and against `packageDefinition` when given).
   */
  knownMethods?: KnownMethods;
}

/** Options after validation; frozen. */
export interface ValidatedGrpcOptions {
  readonly registry: CircuitRegistry | undefined;
  readonly defaults: GrpcMethodPolicy | undefined;
  readonly methods: Readonly<Record<string, GrpcMethodPolicy>>;
  readonly circuitName: ((path: string, target: string | undefined) => string) | undefined;
  readonly target: string | undefined;
  /** Idempotency levels from `packageDefinition`, when given. */
  readonly idempotency: IdempotencyTable | undefined;
}

const KNOWN = new Set([
  'registry',
  'defaults',
  'methods',
  'circuitName',
  'packageDefinition',
  'target',
  'knownMethods',
]);
const METHOD_KEY = /^\/[^/\s]+\/([^/\s]+|\*)$/;

/**
 * The method keys to look up for a call of `path`, most specific first:
 * `['/pkg.Svc/Method', '/pkg.Svc/*', '*']`.
 */
export function methodKeys(path: string): string[] {
  const slash = path.lastIndexOf('/');
  return slash > 0 ? [path, `${path.slice(0, slash)}/*`, '*'] : [path, '*'];
}

/**
 * Validates the interceptor's options.
 * @throws ConfigError naming the offending option (e.g. `methods["/a.B/C"].failOn[0]`) and the value
 */
export function validateGrpcOptions(options: unknown): ValidatedGrpcOptions {
  const {
    raw: o,
    registry,
    defaults,
    methods,
    resolve,
  } = readAdapterOptions<GrpcPolicyFailure>(
    options,
    KNOWN,
    validateFailure,
    (key) => (key === '*' ? ['*'] : methodKeys(key)),
    (key) => {
      if (!METHOD_KEY.test(key)) {
        throw new ConfigError(
          `methods[${JSON.stringify(key)}]`,
          "has a malformed key: use '/package.Service/Method', '/package.Service/*' or '*'",
          key,
        );
      }
    },
  );
  if (o.circuitName !== undefined && typeof o.circuitName !== 'function') {
    throw new ConfigError(
      'circuitName',
      'must be a function (path, target) => string',
      o.circuitName,
    );
  }
  if (o.target !== undefined && (typeof o.target !== 'string' || o.target.trim() === '')) {
    throw new ConfigError('target', 'must be a non-empty string', o.target);
  }
  if (o.knownMethods !== undefined)
    checkMethodKeys(Object.keys(methods), readKnownMethods(o.knownMethods));
  const idempotency =
    o.packageDefinition === undefined ? undefined : readIdempotency(o.packageDefinition);
  if (idempotency) checkIdempotency(methods, idempotency, resolve);
  else checkPolicyIdempotency(methods, resolve);
  return Object.freeze({
    registry,
    defaults,
    methods,
    circuitName: o.circuitName as ValidatedGrpcOptions['circuitName'],
    target: o.target as string | undefined,
    idempotency,
  });
}

function validateFailure(f: unknown, path: string): GrpcPolicyFailure {
  return validateGrpcFailure(f, path) as GrpcPolicyFailure;
}
