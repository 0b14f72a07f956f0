/**
 * Metadata the interceptor reads and writes. No value is imported from @grpc/grpc-js (it is an
 * optional peer dependency of the package's main entry): new `Metadata` objects are made with the
 * constructor of the caller's own request metadata, so they always come from the caller's copy
 * of grpc-js.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CircuitState, RejectReason } from '../core/types.js';

/** Constructor of the caller's `Metadata` class. */
export type MetadataFactory = () => Metadata;

/** A factory making empty `Metadata` of the same class as `sample`. */
export function metadataFactoryOf(sample: Metadata): MetadataFactory {
  const Ctor = sample.constructor as new () => Metadata;
  return () => new Ctor();
}

/** Response metadata key: the circuit's state when it rejected or answered for a call. */
export const CIRCUIT_STATE_KEY = 'x-circuit-state';
/** Response metadata key: milliseconds until the circuit may let a call through. */
export const RETRY_AFTER_KEY = 'x-retry-after-ms';
/** Response metadata key: why the circuit rejected the call (`open`, `bulkhead`, ...). */
export const REJECT_REASON_KEY = 'x-circuit-reject-reason';
/** Response metadata key: which fallback answered (`cache` or `value`). */
export const FALLBACK_KEY = 'x-fallback';
/** Response metadata key: age of a cached answer, whole ms. */
export const FALLBACK_AGE_KEY = 'x-fallback-age-ms';

/**
 * Trailing metadata of a call rejected by its circuit: `x-circuit-state`, `x-retry-after-ms`
 * (whole ms, rounded up; left out when the circuit is forced open and has no end) and
 * `x-circuit-reject-reason`.
 */
export function rejectionMetadata(
  make: MetadataFactory,
  state: CircuitState,
  reason: RejectReason,
  retryAfterMs: number,
): Metadata {
  const md = make();
  md.set(CIRCUIT_STATE_KEY, state);
  if (Number.isFinite(retryAfterMs)) md.set(RETRY_AFTER_KEY, String(Math.ceil(retryAfterMs)));
  md.set(REJECT_REASON_KEY, reason);
  return md;
}

/**
 * Response metadata of a fallback answer: `x-fallback: cache|value`, the circuit's state and, for
 * a cached answer whose age is known, `x-fallback-age-ms`.
 */
export function fallbackMetadata(
  make: MetadataFactory,
  kind: 'cache' | 'value',
  state: CircuitState,
  ageMs?: number,
): Metadata {
  const md = make();
  md.set(FALLBACK_KEY, kind);
  md.set(CIRCUIT_STATE_KEY, state);
  if (ageMs !== undefined && Number.isFinite(ageMs))
    md.set(FALLBACK_AGE_KEY, String(Math.max(0, Math.round(ageMs))));
  return md;
}

/**
 * Request metadata as plain strings for a `CallContext`: binary (`-bin`) entries and the values of
 * credential keys are left out, so a policy callback cannot leak them by accident.
 */
export function plainMetadata(
  md: Metadata | undefined,
  credentialKeys: ReadonlySet<string>,
): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!md) return Object.freeze(out);
  for (const [key, value] of Object.entries(md.getMap())) {
    if (key.endsWith('-bin') || credentialKeys.has(key) || typeof value !== 'string') continue;
    out[key] = value;
  }
  return Object.freeze(out);
}

/**
 * The values of the credential keys in request metadata, in key order, for the cache key: two
 * callers with different credentials never share a cached response. A key with several values
 * contributes all of them; binary values are base64-encoded.
 */
export function credentialValues(
  md: Metadata | undefined,
  credentialKeys: readonly string[],
): string[] {
  const out: string[] = [];
  for (const key of credentialKeys) {
    const values = md?.get(key) ?? [];
    out.push(values.map((v) => (typeof v === 'string' ? v : v.toString('base64'))).join('\u0000'));
  }
  return out;
}
