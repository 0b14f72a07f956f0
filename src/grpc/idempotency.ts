/**
 * Which gRPC methods are safe to repeat, read from the `idempotency_level` option of each method
 * in a @grpc/proto-loader package definition (`rpc Get(...) returns (...) { option
 * idempotency_level = NO_SIDE_EFFECTS; }`). proto-loader exposes it as
 * `definition[service][method].options.idempotency_level`, always filled in (a method without the
 * option reads `IDEMPOTENCY_UNKNOWN`).
 *
 * The rules, when the interceptor is given a package definition:
 * - A method is safe to repeat when the user's merged policy says `idempotent: true` (at any key,
 *   `defaults` included), or, when the policy does not say, when the .proto marks it
 *   `NO_SIDE_EFFECTS` or `IDEMPOTENT`. The user's `idempotent` always wins, both ways.
 * - Any other method — `IDEMPOTENCY_UNKNOWN`, no option, `idempotent: false`, or a method the
 *   definition does not contain — is treated as having side effects: it is never retried and
 *   never answered from the response cache (a value fallback still applies).
 * - Asking for retries or the cache at such a method's own key (`methods['/pkg.Svc/Put']`) is a
 *   contradiction, and throws `ConfigError` at start-up: such an entry would silently do nothing.
 *   Asking through a wildcard (`'*'`, `'/pkg.Svc/*'`) or `defaults` is fine and is the point:
 *   the request applies to the methods that are safe and is dropped for the others.
 * - A method key naming a service of the definition but a method it does not have is a typo,
 *   and throws `ConfigError` too.
 * Without a package definition nothing changes: only `idempotent: false` turns retries and the
 * cache off.
 */
import { ConfigError } from '../core/errors.js';
import { unreadable } from '../core/validate.js';
import { rejectRepeatsOfUnsafeMethods } from '../registry/method-policy.js';
import type { MethodPolicy } from '../registry/method-policy.js';

/** A package definition as @grpc/proto-loader's `load`/`loadSync` return it. */
export type GrpcPackageDefinition = Readonly<Record<string, object>>;

/** `idempotency_level` values, as proto-loader reports them. */
export type IdempotencyLevel = 'IDEMPOTENCY_UNKNOWN' | 'NO_SIDE_EFFECTS' | 'IDEMPOTENT';

const LEVELS: readonly IdempotencyLevel[] = [
  'IDEMPOTENCY_UNKNOWN',
  'NO_SIDE_EFFECTS',
  'IDEMPOTENT',
];

/** Idempotency levels of every method of a package definition. */
export interface IdempotencyTable {
  /** Level of a method by path (`/pkg.Service/Method`); undefined when not in the definition. */
  readonly levels: ReadonlyMap<string, IdempotencyLevel>;
  /** Fully qualified names of the services in the definition. */
  readonly services: ReadonlySet<string>;
}

/**
 * Reads the idempotency level of every method in `definition`.
 * @throws ConfigError when `definition` is not a package definition with at least one service
 */
export function readIdempotency(definition: unknown): IdempotencyTable {
  try {
    return readLevels(definition);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // Only reads of the definition can throw here: a getter or Proxy trap in it.
    throw unreadable('packageDefinition', error);
  }
}

function readLevels(definition: unknown): IdempotencyTable {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
    throw new ConfigError(
      'packageDefinition',
      'must be a package definition from @grpc/proto-loader',
      definition,
    );
  }
  const levels = new Map<string, IdempotencyLevel>();
  const services = new Set<string>();
  for (const [name, entry] of Object.entries(definition as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    for (const method of Object.values(entry as Record<string, unknown>)) {
      const m = method as { path?: unknown; options?: { idempotency_level?: unknown } } | null;
      if (typeof m !== 'object' || m === null || typeof m.path !== 'string') continue;
      services.add(name);
      levels.set(m.path, levelOf(m.options?.idempotency_level));
    }
  }
  if (services.size === 0) {
    throw new ConfigError(
      'packageDefinition',
      'has no services: pass what @grpc/proto-loader load()/loadSync() returned',
      Object.keys(definition),
    );
  }
  return Object.freeze({ levels, services });
}

/** A level given by name, or by number (0, 1, 2) as other loaders may report it. */
function levelOf(v: unknown): IdempotencyLevel {
  if (typeof v === 'number') return LEVELS[v] ?? 'IDEMPOTENCY_UNKNOWN';
  return LEVELS.includes(v as IdempotencyLevel) ? (v as IdempotencyLevel) : 'IDEMPOTENCY_UNKNOWN';
}

/** Whether `level` says a call may be repeated. */
export function isSafeLevel(level: IdempotencyLevel | undefined): boolean {
  return level === 'NO_SIDE_EFFECTS' || level === 'IDEMPOTENT';
}

/**
 * `policy` with `idempotent` settled from the table when the policy does not say (see the
 * file's comment); `policy` itself without a table or when it says.
 */
export function withIdempotency<F>(
  policy: MethodPolicy<F>,
  path: string,
  table: IdempotencyTable | undefined,
): MethodPolicy<F> {
  if (!table || policy.idempotent !== undefined) return policy;
  return Object.freeze({ ...policy, idempotent: isSafeLevel(table.levels.get(path)) });
}

/**
 * Checks the `methods` keys against the table: an exact method key must name a method of a known
 * service, and must not ask for retries or the cache when the method is not safe to repeat.
 * @param resolve the merged policy of an exact method key (before the table is applied)
 * @throws ConfigError naming the entry and explaining how to mark the method safe
 */
export function checkIdempotency<F>(
  methods: Readonly<Record<string, MethodPolicy<F>>>,
  table: IdempotencyTable,
  resolve: (path: string) => MethodPolicy<F>,
): void {
  for (const key of Object.keys(methods)) {
    const slash = key.lastIndexOf('/');
    if (key === '*' || slash <= 0) continue;
    const service = key.slice(1, slash);
    const exact = !key.endsWith('/*');
    if (exact && table.services.has(service) && !table.levels.has(key)) {
      throw new ConfigError(
        `methods[${JSON.stringify(key)}]`,
        `names no method of service ${service} in packageDefinition`,
        key,
      );
    }
  }
  rejectRepeatsOfUnsafeMethods(
    Object.entries(methods).filter(([key]) => isExactKey(key)),
    (key) => {
      const merged = resolve(key);
      if (withIdempotency(merged, key, table).idempotent !== false) return undefined;
      return `not known to be safe to repeat (${reason(key, merged, table)})`;
    },
    () => HOW_TO_FIX,
  );
}

/**
 * Without a package definition only the policies speak: an exact method key that asks for
 * retries or the cache while its merged policy says `idempotent: false` is a contradiction.
 */
export function checkPolicyIdempotency<F>(
  methods: Readonly<Record<string, MethodPolicy<F>>>,
  resolve: (path: string) => MethodPolicy<F>,
): void {
  rejectRepeatsOfUnsafeMethods(
    Object.entries(methods).filter(([key]) => isExactKey(key)),
    (key) => (resolve(key).idempotent === false ? 'marked idempotent: false' : undefined),
    () => 'remove it, or set `idempotent: true` in this entry if repeating the method is safe',
  );
  // Hedging sends a call twice while the first may still be running: it needs a method known to
  // be idempotent, which without a package definition only `idempotent: true` says.
  rejectRepeatsOfUnsafeMethods(
    Object.entries(methods).filter(([key, entry]) => isExactKey(key) && !!entry.hedging),
    (key) => (resolve(key).idempotent !== true ? 'not known to be idempotent' : undefined),
    () => 'set `idempotent: true` in this entry (or pass packageDefinition) if it is idempotent',
  );
}

function isExactKey(key: string): boolean {
  return key !== '*' && !key.endsWith('/*') && key.lastIndexOf('/') > 0;
}

const HOW_TO_FIX =
  'mark it `option idempotency_level = NO_SIDE_EFFECTS;` (or IDEMPOTENT) in its .proto, or set ' +
  '`idempotent: true` in its policy if repeating it is safe';

function reason<F>(path: string, merged: MethodPolicy<F>, table: IdempotencyTable): string {
  if (merged.idempotent === false) return 'its policy says idempotent: false';
  const level = table.levels.get(path);
  return level === undefined
    ? 'it is not in packageDefinition'
    : `its idempotency_level is ${level} in packageDefinition`;
}
