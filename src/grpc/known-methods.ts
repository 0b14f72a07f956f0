/**
 * `knownMethods`: checking the `methods` keys of a gRPC interceptor against the methods that
 * really exist, on its own — without `packageDefinition`'s idempotency rules. A typo in a key
 * (`'/shop.Catalog/GetItme'`) would otherwise give a policy that silently applies to nothing.
 */
import { ConfigError } from '../core/errors.js';
import { readIdempotency, type GrpcPackageDefinition } from './idempotency.js';

/** The methods there are: a proto-loader package definition, or a list of method paths. */
export type KnownMethods = GrpcPackageDefinition | readonly string[];

const METHOD_PATH = /^\/[^/\s]+\/[^/\s*]+$/;

/**
 * Reads `known` into a set of method paths.
 * @throws ConfigError when it is neither a package definition nor a list of `/pkg.Svc/Method`
 */
export function readKnownMethods(known: unknown): ReadonlySet<string> {
  if (Array.isArray(known)) {
    known.forEach((p, i) => {
      if (typeof p !== 'string' || !METHOD_PATH.test(p))
        throw new ConfigError(`knownMethods[${i}]`, "must be a method path '/pkg.Svc/Method'", p);
    });
    return new Set(known as string[]);
  }
  try {
    return new Set(readIdempotency(known).levels.keys());
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(
        'knownMethods',
        'must be a @grpc/proto-loader package definition or a list of method paths',
        known,
      );
    throw error;
  }
}

/**
 * Checks every `methods` key against `known`: an exact key must name a known method, a
 * `'/pkg.Svc/*'` key a service with at least one known method.
 * @throws ConfigError naming the key, with the nearest known names
 */
export function checkMethodKeys(keys: Iterable<string>, known: ReadonlySet<string>): void {
  const services = new Set([...known].map((p) => p.slice(0, p.lastIndexOf('/'))));
  for (const key of keys) {
    if (key === '*') continue;
    const service = key.slice(0, key.lastIndexOf('/'));
    if (key.endsWith('/*')) {
      if (!services.has(service))
        throw new ConfigError(
          `methods[${JSON.stringify(key)}]`,
          `names no service in knownMethods (known: ${[...services].join(', ')})`,
          key,
        );
    } else if (!known.has(key)) {
      const siblings = [...known].filter((p) => p.startsWith(`${service}/`));
      const hint = siblings.length ? siblings : [...known].slice(0, 10);
      throw new ConfigError(
        `methods[${JSON.stringify(key)}]`,
        `names no method in knownMethods (known: ${hint.join(', ')})`,
        key,
      );
    }
  }
}
