/**
 * The wrapper's view of a method's fallback (an adapter over src/fallback's `createMethodFallback`).
 * Cache keys are derived from the method and the canonical text of the call's arguments; Thrift
 * has no request metadata, so no credential values take part.
 */
import type { CallContext } from '../classify/call-context.js';
import type { Clock } from '../core/clock.js';
import { createMethodFallback, type FallbackServed } from '../fallback/index.js';
import type { ThriftMethodPolicy } from './types.js';
import { approximateSize } from './value-size.js';

/** The call a fallback is asked about: its cache key and context, computed only when needed. */
export interface FallbackCall {
  /** The response-cache key: method and canonical arguments. */
  cacheKey(): string;
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
      fallback.remember(call.cacheKey(), value, approximateSize(value));
    },
    serve(reason, call, originalError) {
      const key = fallback.hasCache ? call.cacheKey() : undefined;
      return fallback.serve(call.callContext(), reason, key, originalError);
    },
  };
}
