/** Fallbacks: last-known-good cache, value fallbacks, cache keys. */
export {
  CREDENTIAL_METADATA,
  credentialNames,
  deriveCacheKey,
  deriveTextCacheKey,
} from './cache-key.js';
export {
  createMethodFallback,
  MethodFallback,
  withCause,
  type FallbackServed,
  type FallbackTrigger,
} from './fallback.js';
export {
  validateFallbackOptions,
  type FallbackOptions,
  type FallbackValue,
} from './fallback-options.js';
export {
  LastKnownGoodCache,
  type CachedAnswer,
  type LastKnownGoodOptions,
} from './last-known-good.js';
