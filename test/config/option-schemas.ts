/**
 * The option schemas the fuzz tests generate from: every option name the validators read
 * (src/core/policy.ts, trip-policy.ts, registry/method-policy.ts, retry/, fallback/), nested
 * where the options nest, each with a few plausible values so that the deeper checks are reached.
 */
import fc from 'fast-check';
import { goodCount, goodMs, goodRate, listOf, optionsOf } from './hostile-options.js';

/** `CircuitPolicy.trip`: either variant, with the fields of both mixed in now and then. */
export const tripOptions = fc.oneof(
  optionsOf({ consecutiveFailures: goodCount }),
  optionsOf({
    failureRate: goodRate,
    minimumCalls: goodCount,
    windowCalls: fc.oneof(goodCount, fc.constant(1_000_001)),
    windowMs: fc.constantFrom(9, 10, 1_000, 10_000),
  }),
  optionsOf({ consecutiveFailures: goodCount, failureRate: goodRate }),
);

/** `CircuitPolicy.openMs`: a number or a backoff. */
export const openMsOptions = fc.oneof(
  goodMs,
  optionsOf({
    initialMs: goodMs,
    maxMs: goodMs,
    multiplier: fc.constantFrom(0.5, 1, 2),
    jitter: fc.constantFrom(0, 0.5, 1, 1.5),
  }),
);

/** A `CircuitPolicy`. */
export const circuitPolicy = optionsOf({
  trip: tripOptions,
  slowCallMs: goodMs,
  slowCallRate: goodRate,
  openMs: openMsOptions,
  halfOpenProbes: goodCount,
  halfOpenSuccesses: goodCount,
  maxConcurrent: goodCount,
  halfOpenProbe: fc.constant(() => Promise.resolve()),
  halfOpenProbeTimeoutMs: goodMs,
});

const budget = optionsOf({ ratio: fc.constantFrom(0, 0.2, 1), minPerSecond: goodCount });

/** `MethodPolicy.retry`. */
export const retryOptions = fc.oneof(
  fc.constant(false),
  optionsOf({
    maxAttempts: fc.integer({ min: 1, max: 4 }),
    initialDelayMs: fc.constantFrom(0, 1, 50),
    maxDelayMs: fc.constantFrom(0, 10, 1_000),
    budget,
  }),
);

/** `MethodPolicy.hedging`. */
export const hedgingOptions = fc.oneof(
  fc.constant(false),
  optionsOf({
    maxAttempts: fc.integer({ min: 1, max: 6 }),
    delayMs: fc.constantFrom(0, 5, 100),
    percentile: fc.constantFrom(0.5, 0.9, 0.99, 1),
    minDelayMs: fc.constantFrom(0, 1, 10),
    budget,
  }),
);

/** `MethodPolicy.fallback`, with its `cache`. */
export const fallbackOptions = optionsOf({
  cache: optionsOf({
    ttlMs: goodMs,
    maxEntries: goodCount,
    maxBytes: fc.constantFrom(1, 1_024, 1_000_000),
    channelIdentity: fc.constantFrom('unknown', 'per-interceptor'),
    keyMetadata: listOf(fc.constantFrom('x-tenant', 'authorization')),
    serveOn: fc.constantFrom('open', 'open-or-failure'),
  }),
  value: fc.constantFrom<unknown>({ id: 'fallback' }, 'v', () => ({ id: 'fn' })),
});

/** A `MethodPolicy` whose `failOn` / `ignore` entries come from `failure`. */
export function methodPolicy(failure: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return optionsOf({
    circuit: circuitPolicy,
    failOn: listOf(failure),
    ignore: listOf(failure),
    classify: fc.constant(() => undefined),
    timeoutMs: goodMs,
    retry: retryOptions,
    fallback: fallbackOptions,
    idempotent: fc.boolean(),
    hedging: hedgingOptions,
  });
}

/** A `methods` map over `keys` (plus the hostile own keys `optionsOf` adds). */
export function methodsMap(
  keys: readonly string[],
  failure: fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  const policy = methodPolicy(failure);
  return optionsOf(Object.fromEntries(keys.map((k) => [k, policy])));
}
