/**
 * A method's fallback at run time: remembers good responses and, when a call is rejected by its
 * circuit (or fails, with `serveOn: 'open-or-failure'`), answers from the cache first, then from
 * the value fallback. Synchronous whenever it can be: only a value function makes it async.
 */
import type { CallContext } from '../classify/call-context.js';
import type { Clock } from '../core/clock.js';
import { credentialNames } from './cache-key.js';
import type { FallbackOptions } from './fallback-options.js';
import { LastKnownGoodCache } from './last-known-good.js';

/** A fallback answer served instead of a real one. */
export interface FallbackServed {
  /** Where it came from: the last-known-good cache or the value fallback. */
  kind: 'cache' | 'value';
  value: unknown;
  /** Age of a cached answer, ms. */
  ageMs?: number;
}

/** Why a fallback is asked for: the circuit rejected the call, or the call failed. */
export type FallbackTrigger = 'open' | 'failure';

export class MethodFallback {
  /** Whether successful responses should be remembered. */
  readonly hasCache: boolean;
  /** Whether failed calls (not only rejected ones) are answered. */
  readonly servesFailures: boolean;
  /** Metadata names whose values key the cache (credentials first). */
  readonly credentialNames: readonly string[];
  /** Replies over a secure channel may be cached (`cache.channelIdentity: 'per-interceptor'`). */
  readonly cachesSecureChannels: boolean;
  private readonly cache: LastKnownGoodCache<unknown> | undefined;
  private readonly value: FallbackOptions['value'];
  private readonly hasValue: boolean;

  /** @param options validated options (see `validateFallbackOptions`) */
  constructor(options: FallbackOptions, clock: Clock) {
    const c = options.cache;
    this.cache = c
      ? new LastKnownGoodCache({
          ttlMs: c.ttlMs,
          maxEntries: c.maxEntries,
          maxBytes: c.maxBytes,
          clock,
        })
      : undefined;
    this.cachesSecureChannels = c?.channelIdentity === 'per-interceptor';
    this.hasCache = this.cache !== undefined;
    this.servesFailures = c?.serveOn === 'open-or-failure';
    this.credentialNames = Object.freeze(credentialNames(c?.keyMetadata));
    this.hasValue = 'value' in options && options.value !== undefined;
    this.value = options.value;
  }

  /**
   * Remembers a successful response (no-op without a cache). The adapter stores a form no caller
   * holds (serialized bytes, a private copy) and hands each hit its own copy.
   */
  remember(key: string, value: unknown, sizeBytes: number): void {
    this.cache?.set(key, value, sizeBytes);
  }

  /**
   * The answer for a call that was rejected (`open`) or failed (`failure`), or undefined when
   * there is none (then the call fails as it would have). A value function that throws or
   * rejects makes this reject with `originalError`, the function's error attached as `cause`.
   * @param key the call's cache key, when a cache is configured
   */
  serve(
    ctx: CallContext,
    trigger: FallbackTrigger,
    key: string | undefined,
    originalError: unknown,
  ): FallbackServed | undefined | Promise<FallbackServed | undefined> {
    if (trigger === 'failure' && !this.servesFailures) return undefined;
    if (
      this.cache &&
      // Stryker disable next-line ConditionalExpression: → true looks up an undefined key, which misses (keys are strings)
      key !== undefined
    ) {
      const hit = this.cache.get(key);
      if (hit) return { kind: 'cache', value: hit.value, ageMs: hit.ageMs };
    }
    if (!this.hasValue) return undefined;
    const v = this.value;
    if (typeof v !== 'function') return { kind: 'value', value: v };
    let produced: unknown;
    try {
      produced = (v as (c: CallContext) => unknown)(ctx);
    } catch (error) {
      return Promise.reject(withCause(originalError, error));
    }
    return Promise.resolve(produced).then(
      (value): FallbackServed => ({ kind: 'value', value }),
      (error: unknown) => Promise.reject(withCause(originalError, error)),
    );
  }

  /** Entries in the cache (0 without one). */
  get cacheSize(): number {
    return this.cache?.size ?? 0;
  }

  /** Bytes the cache counts against its bound (0 without one). */
  get cacheBytes(): number {
    return this.cache?.bytes ?? 0;
  }
}

/**
 * A method's fallback, or undefined when it has none. A method not safe to repeat
 * (`idempotent: false`) keeps its value fallback but never caches: replaying a write's old reply
 * would be a lie.
 */
export function createMethodFallback(
  options: FallbackOptions | undefined,
  idempotent: boolean | undefined,
  clock: Clock,
): MethodFallback | undefined {
  if (!options) return undefined;
  if (idempotent === false && options.cache) {
    const { cache: _dropped, ...rest } = options;
    if (rest.value === undefined) return undefined;
    options = rest;
  }
  return new MethodFallback(options, clock);
}

/** `original` with `cause` set to the fallback's error (wrapped when it cannot take it). */
export function withCause(original: unknown, cause: unknown): Error {
  if (original instanceof Error && Object.isExtensible(original)) {
    Object.defineProperty(original, 'cause', {
      value: cause,
      configurable: true,
      writable: true,
      enumerable: false,
    });
    return original;
  }
  const message = original instanceof Error ? original.message : String(original);
  const wrapped = new Error(message, { cause });
  if (original instanceof Error) Object.defineProperty(wrapped, 'original', { value: original });
  return wrapped;
}
