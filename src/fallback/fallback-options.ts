/** Fallback options of a method policy, and their validation. */
import type { CallContext } from '../classify/call-context.js';
import { ConfigError } from '../core/errors.js';
import { readOptions, requireInteger, requirePositive } from '../core/validate.js';

/** What to answer instead of failing. */
export interface FallbackOptions {
  /** Serve the last known good response for the same request and credentials. */
  cache?: {
    /** How long a response may be served after it was received, ms. */
    ttlMs: number;
    /** Most responses kept per method; default 1_000. */
    maxEntries?: number;
    /**
     * Most bytes kept per method (serialized reply bytes for gRPC, an upper bound of the reply's
     * heap size for Thrift, plus a fixed overhead per entry); default 64 MiB.
     */
    maxBytes?: number;
    /**
     * gRPC only. Who the channel says the caller is (a TLS client certificate, or call
     * credentials combined into the channel's credentials) is invisible to an interceptor, and one
     * interceptor may serve several clients. `'unknown'` (default): a reply that came over a
     * secure (TLS) channel is not cached. `'per-interceptor'`: the caller states that every client
     * using this interceptor has the same channel identity (one interceptor per identity), so
     * such replies are cached.
     */
    channelIdentity?: 'unknown' | 'per-interceptor';
    /** Metadata whose values are part of the key, besides authorization, cookie and x-api-key. */
    keyMetadata?: string[];
    /** `open` (default): only when the circuit rejects the call; `open-or-failure`: also when it fails. */
    serveOn?: 'open' | 'open-or-failure';
  };
  /**
   * A static answer, or a function of the call computing one (sync or async). Used when the
   * cache has nothing for a call the circuit rejected — and for a call that failed, when
   * `cache.serveOn` is `'open-or-failure'`.
   */
  value?: FallbackValue;
}

/**
 * A value fallback: a function of the call (so `ctx` is typed where it is written), or any static
 * value. (`unknown | fn` would collapse to `unknown` and leave `ctx` untyped.)
 */
export type FallbackValue =
  ((ctx: CallContext) => unknown) | string | number | boolean | bigint | null | object;

const KEYS = new Set(['cache', 'value']);
const CACHE_KEYS = new Set([
  'ttlMs',
  'maxEntries',
  'maxBytes',
  'keyMetadata',
  'serveOn',
  'channelIdentity',
]);

/**
 * Validates fallback options and returns a frozen copy (the input is not modified).
 * @throws ConfigError naming the option's path and the value received
 */
export function validateFallbackOptions(o: unknown, path: string): FallbackOptions {
  const f = readOptions(o, KEYS, path);
  const out: FallbackOptions = {};
  if (f.cache !== undefined) {
    const p = `${path}.cache`;
    const c = readOptions(f.cache, CACHE_KEYS, p);
    const cache: NonNullable<FallbackOptions['cache']> = {
      ttlMs: requirePositive(c.ttlMs, `${p}.ttlMs`),
    };
    if (c.maxEntries !== undefined)
      cache.maxEntries = requireInteger(c.maxEntries, `${p}.maxEntries`);
    if (c.maxBytes !== undefined) cache.maxBytes = requireInteger(c.maxBytes, `${p}.maxBytes`);
    if (c.channelIdentity !== undefined) {
      if (c.channelIdentity !== 'unknown' && c.channelIdentity !== 'per-interceptor') {
        throw new ConfigError(
          `${p}.channelIdentity`,
          "must be 'unknown' or 'per-interceptor'",
          c.channelIdentity,
        );
      }
      cache.channelIdentity = c.channelIdentity;
    }
    if (c.keyMetadata !== undefined) {
      if (!Array.isArray(c.keyMetadata))
        throw new ConfigError(
          `${p}.keyMetadata`,
          'must be an array of metadata names',
          c.keyMetadata,
        );
      c.keyMetadata.forEach((k, i) => {
        if (typeof k !== 'string' || k.length === 0)
          throw new ConfigError(`${p}.keyMetadata[${i}]`, 'must be a non-empty string', k);
      });
      cache.keyMetadata = Object.freeze([...c.keyMetadata]) as string[];
    }
    if (c.serveOn !== undefined) {
      if (c.serveOn !== 'open' && c.serveOn !== 'open-or-failure') {
        throw new ConfigError(`${p}.serveOn`, "must be 'open' or 'open-or-failure'", c.serveOn);
      }
      cache.serveOn = c.serveOn;
    }
    out.cache = Object.freeze(cache);
  }
  if ('value' in f && f.value !== undefined) out.value = f.value;
  return Object.freeze(out);
}
