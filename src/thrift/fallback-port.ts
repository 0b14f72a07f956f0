/**
 * The wrapper's view of a method's fallback (an adapter over src/fallback's `createMethodFallback`).
 *
 * Cache keys are derived, when the call is made, from the method and the canonical text of the
 * call's arguments; Thrift has no request metadata, so no credential values take part. The cache
 * belongs to one wrapped client (one connection): whatever identifies the caller on that
 * connection (TLS client certificate, HTTP headers) is the same for all its calls, and no other
 * client's calls reach it.
 *
 * npm thrift hands over decoded values only, never the reply's bytes, so the cache keeps a private
 * deep copy (made when the reply arrives, before the caller gets it) counted at an upper bound of
 * its heap size, and every hit gets a copy of its own (see src/fallback/copy-value.ts).
 */
import type { CallContext } from '../classify/call-context.js';
import type { Clock } from '../core/clock.js';
import { copyForCache, copyValue } from '../fallback/copy-value.js';
import { createMethodFallback, type FallbackServed } from '../fallback/index.js';
import type { ThriftMethodPolicy } from './types.js';

/** The call a fallback is asked about: its cache key and context, computed only when needed. */
export interface FallbackCall {
  /** The response-cache key: method and canonical arguments, derived when the call was made. */
  cacheKey(): string;
  /** Whether the arguments still give that key (a retry re-sends the caller's objects). */
  requestUnchanged(): boolean;
  callContext(): CallContext;
}

/** What a call needs from its method's fallback. */
export interface ThriftFallback {
  /** Successful replies are remembered (a `cache` is configured). */
  readonly caches: boolean;
  /** Failed calls are answered too, not only rejected ones (`serveOn: 'open-or-failure'`). */
  readonly onFailure: boolean;
  remember(call: FallbackCall, value: unknown): void;
  /**
   * The answer for a rejected (`open`) or failed call, if any. Rejects with `originalError`
   * (the value function's error as its `cause`) when a value function fails.
   */
  serve(
    reason: 'open' | 'failure',
    call: FallbackCall,
    originalError: unknown,
  ): FallbackServed | undefined | Promise<FallbackServed | undefined>;
}

/**
 * The fallback of a method policy, or undefined when it has none. A method marked
 * `idempotent: false` keeps its value fallback but never caches: replaying a write's old reply
 * would be a lie (as in the gRPC adapter).
 */
export function createThriftFallback(
  policy: ThriftMethodPolicy,
  clock: Clock,
): ThriftFallback | undefined {
  const fallback = createMethodFallback(policy.fallback, policy.idempotent, clock);
  if (!fallback) return undefined;
  return {
    caches: fallback.hasCache,
    onFailure: fallback.servesFailures,
    remember(call, value) {
      if (!call.requestUnchanged()) return;
      const copy = copyForCache(value);
      if (copy) fallback.remember(call.cacheKey(), copy.value, copy.bytes);
    },
    serve(reason, call, originalError) {
      const key = fallback.hasCache ? call.cacheKey() : undefined;
      const found = fallback.serve(call.callContext(), reason, key, originalError);
      if (!found || found instanceof Promise || found.kind !== 'cache') return found;
      return { kind: 'cache', value: copyValue(found.value), ageMs: found.ageMs };
    },
  };
}
