/**
 * gRPC's own retry rules (gRFC A6) as they apply to the interceptor's retries:
 * - server pushback: trailing metadata `grpc-retry-pushback-ms` on a failed attempt is the delay
 *   the server asks for before the next one; a negative or malformed value means "do not retry";
 * - `grpc-previous-rpc-attempts`: every retried attempt tells the server how many went before.
 */
import type { Metadata } from '@grpc/grpc-js';

/** Trailer in which a server asks for a retry delay (ms), or for none (negative). */
export const PUSHBACK_KEY = 'grpc-retry-pushback-ms';
/** Request header counting the attempts made before this one. */
export const PREVIOUS_ATTEMPTS_KEY = 'grpc-previous-rpc-attempts';

/** What a failed attempt's trailers say about retrying. */
export type Pushback = { kind: 'none' } | { kind: 'stop' } | { kind: 'delay'; ms: number };

const NONE: Pushback = Object.freeze({ kind: 'none' });
const STOP: Pushback = Object.freeze({ kind: 'stop' });

/**
 * Reads `grpc-retry-pushback-ms` from `trailers`. A value that is not a non-negative decimal
 * integer (a negative one, a fraction, text, several values) means the server does not want the
 * call retried, as gRFC A6 specifies.
 */
export function readPushback(trailers: Metadata | undefined): Pushback {
  const values = trailers?.get(PUSHBACK_KEY);
  if (!values || values.length === 0) return NONE;
  const v = values.length === 1 ? values[0] : undefined;
  if (typeof v !== 'string' || !/^[0-9]{1,10}$/.test(v)) return STOP;
  return { kind: 'delay', ms: Number(v) };
}

/** A copy of `metadata` for retried attempt number `attempt` (2 for the first retry). */
export function retryMetadata(metadata: Metadata, attempt: number): Metadata {
  const md = metadata.clone();
  md.set(PREVIOUS_ATTEMPTS_KEY, String(attempt - 1));
  return md;
}
