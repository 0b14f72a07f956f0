/**
 * The interceptor's view of a method's fallback: an adapter over `createMethodFallback` (src/fallback)
 * that knows gRPC's side of it — the cache key from the request's serialized bytes and the
 * caller's credential metadata, and the stored size of a reply.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CallContext } from '../classify/call-context.js';
import type { Clock } from '../core/clock.js';
import { createMethodFallback, deriveCacheKey } from '../fallback/index.js';
import type { GrpcMethodPolicy } from './options.js';
import { approximateSize } from './size-estimate.js';

/** A fallback answer: where it came from and the message (or, for a stream, the messages). */
export interface FallbackAnswer {
  kind: 'cache' | 'value';
  value: unknown;
  /** How old a cached entry is, ms (sent as `x-fallback-age-ms`). */
  ageMs?: number;
}

/** The call a fallback is asked about: gives its cache key and context when needed. */
export interface FallbackCall {
  /** The response-cache key (method, request bytes, credential metadata). */
  cacheKey(): string;
  /** The context handed to a value function. */
  callContext(): CallContext;
}

/** What the calls need from a method's fallback. */
export interface FallbackPort {
  /** Successful responses are remembered (a `cache` is configured). */
  readonly caches: boolean;
  /** Failed calls are answered too, not only rejected ones (`serveOn: 'open-or-failure'`). */
  readonly onFailure: boolean;
  /** Metadata keys whose values are part of the cache key and hidden from callbacks. */
  readonly credentialKeySet: ReadonlySet<string>;
  /** The cache key of a request: its serialized bytes and the caller's credential metadata. */
  keyOf(requestBytes: Uint8Array, metadata: Metadata | undefined): string;
  /** Remembers a successful response of `call`. */
  remember(call: FallbackCall, value: unknown): void;
  /** The fallback answer for a rejected (`open`) or failed call, if any. */
  serve(
    reason: 'open' | 'failure',
    call: FallbackCall,
  ): FallbackAnswer | undefined | Promise<FallbackAnswer | undefined>;
}

/**
 * The fallback of a method, or undefined when it has none. A method marked `idempotent: false`
 * keeps its value fallback but never caches: replaying a write's old reply would be a lie.
 */
export function createFallbackPort(
  policy: GrpcMethodPolicy,
  path: string,
  clock: Clock,
): FallbackPort | undefined {
  const fallback = createMethodFallback(policy.fallback, policy.idempotent, clock);
  if (!fallback) return undefined;
  const names = fallback.credentialNames;
  return {
    caches: fallback.hasCache,
    onFailure: fallback.servesFailures,
    credentialKeySet: new Set(names),
    keyOf(requestBytes, metadata) {
      const pairs: Array<[string, string | Uint8Array]> = [];
      for (const name of names) {
        for (const v of metadata?.get(name) ?? []) pairs.push([name, v]);
      }
      return deriveCacheKey(path, requestBytes, pairs);
    },
    remember(call, value) {
      fallback.remember(call.cacheKey(), value, approximateSize(value));
    },
    serve(reason, call) {
      const key = fallback.hasCache ? call.cacheKey() : undefined;
      return fallback.serve(call.callContext(), reason, key, undefined);
    },
  };
}
