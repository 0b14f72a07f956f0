/**
 * The answers the interceptor makes up itself, in the shape grpc-js delivers: the rejection of a
 * call its circuit did not let through, and a fallback reply.
 */
import type { CircuitBreaker } from '../core/circuit-breaker.js';
import { markCircuitRejection } from '../core/errors.js';
import { OK, UNAVAILABLE, type SyntheticAnswer } from './call-types.js';
import type { FallbackAnswer } from './fallback-port.js';
import { fallbackMetadata, rejectionMetadata, type MetadataFactory } from './metadata.js';

/**
 * UNAVAILABLE, with details naming the circuit (`circuit "/pkg.Svc/M" is open; retry after 812 ms`)
 * and trailing metadata `x-circuit-state`, `x-retry-after-ms`, `x-circuit-reject-reason`.
 */
export function rejectionAnswer(breaker: CircuitBreaker, make: MetadataFactory): SyntheticAnswer {
  const err = breaker.lastRejection();
  return {
    headers: undefined,
    messages: [],
    // The caller's ServiceError is Object.assign'ed from this status: marked, it answers
    // isCircuitOpenError and carries circuit, retryAfterMs and reason.
    status: markCircuitRejection(
      {
        code: UNAVAILABLE,
        details: err.message,
        metadata: rejectionMetadata(make, breaker.state, err.reason, err.retryAfterMs),
      },
      breaker.name,
      err.retryAfterMs,
      err.reason,
    ),
  };
}

/**
 * A successful reply carrying a fallback: response metadata `x-fallback: cache|value` (and
 * `x-fallback-age-ms` for a cached entry), the message(s), status OK. For a server stream an array value is sent as a sequence of messages.
 */
export function fallbackAnswer(
  found: FallbackAnswer,
  asStream: boolean,
  breaker: CircuitBreaker,
  make: MetadataFactory,
): SyntheticAnswer {
  return {
    headers: fallbackMetadata(make, found.kind, breaker.state, found.ageMs),
    messages: asStream && Array.isArray(found.value) ? found.value : [found.value],
    status: { code: OK, details: 'OK', metadata: make() },
  };
}
