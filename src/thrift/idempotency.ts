/**
 * Idempotency for Thrift methods. A Thrift IDL says nothing a generated client keeps about side
 * effects, so the per-method `idempotent` flag is the only source: a method whose merged policy
 * says `idempotent: false` is never retried and never answered from the response cache (a value
 * fallback still applies). To allow retries and the cache only for the methods you vouch for, say
 * `idempotent: false` in `defaults` (or `'*'`) and `idempotent: true` on those methods: the
 * method's own entry wins.
 *
 * Asking for retries or the cache in the own entry of a method whose merged policy says
 * `idempotent: false` is a contradiction — the entry would silently do nothing — and throws
 * `ConfigError` when the client is wrapped. Asking through `defaults` or `'*'` is fine: it applies
 * to the methods that are safe to repeat and is dropped for the others.
 */
import { ConfigError } from '../core/errors.js';
import { rejectRepeatsOfUnsafeMethods } from '../registry/method-policy.js';
import type { ThriftMethodPolicy } from './types.js';

/**
 * Checks each method's own entry against its merged `idempotent` flag.
 * @param resolve the merged policy of a method, as its calls see it
 * @throws ConfigError naming the entry that asks for retries or the cache on a method marked
 *   `idempotent: false`
 */
export function checkThriftIdempotency(
  methods: Readonly<Record<string, ThriftMethodPolicy>>,
  resolve: (method: string) => ThriftMethodPolicy,
): void {
  rejectRepeatsOfUnsafeMethods(
    Object.entries(methods).filter(([method]) => method !== '*'),
    (method) =>
      resolve(method).idempotent !== false
        ? undefined
        : `marked idempotent: false (${methods[method]!.idempotent === false ? 'here' : 'by defaults or by "*"'})`,
    (method) => `remove it, or set idempotent: true in this entry if repeating ${method} is safe`,
  );
}

/**
 * Hedging is a gRPC feature (it needs a call that can be cancelled on the wire): asking for it
 * in a Thrift policy would silently do nothing, so it is refused.
 * @throws ConfigError naming the entry's `hedging`
 */
export function rejectThriftHedging(
  defaults: ThriftMethodPolicy | undefined,
  methods: Readonly<Record<string, ThriftMethodPolicy>>,
): void {
  const entries: Array<[string, ThriftMethodPolicy | undefined]> = [
    ['defaults', defaults],
    ...Object.entries(methods).map(([k, v]): [string, ThriftMethodPolicy] => [
      `methods[${JSON.stringify(k)}]`,
      v,
    ]),
  ];
  for (const [path, policy] of entries) {
    if (policy?.hedging)
      throw new ConfigError(`${path}.hedging`, 'is for gRPC methods only', policy.hedging);
  }
}
