/**
 * The wrapper's view of a method's fallback settings (adapter over src/fallback).
 * PLACEHOLDER until src/fallback lands.
 */
import type { CallContext } from '../classify/call-context.js';
import type { ThriftMethodPolicy } from './types.js';

/** A fallback answer: where it came from, and the value the call resolves with. */
export interface FallbackAnswer {
  readonly kind: 'cache' | 'value';
  readonly value: unknown;
}

/** The call a fallback is asked about: its cache key and context, computed only when needed. */
export interface FallbackCall {
  /** Canonical text of the call's arguments (the method is added by the fallback). */
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
  serve(
    reason: 'open' | 'failure',
    call: FallbackCall,
  ): FallbackAnswer | undefined | Promise<FallbackAnswer | undefined>;
}

/** The fallback of a method policy, or undefined when it has none. */
export function createThriftFallback(
  policy: ThriftMethodPolicy,
  _method: string,
): ThriftFallback | undefined {
  if (!policy.fallback) return undefined;
  return undefined;
}
