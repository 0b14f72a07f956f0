/**
 * The interceptor's view of a method's fallback settings (adapter over src/fallback).
 * PLACEHOLDER until src/fallback lands.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CallContext } from '../classify/call-context.js';
import type { GrpcMethodPolicy } from './options.js';

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

/** The fallback of a method policy, or undefined when it has none. */
export function createFallbackPort(policy: GrpcMethodPolicy): FallbackPort | undefined {
  if (!policy.fallback) return undefined;
  return undefined;
}
