/**
 * The option schemas the fuzz tests generate from: every option name the validators read
 * (src/core/policy.ts, trip-policy.ts, registry/method-policy.ts, retry/, fallback/), nested
 * where the options nest, each with plausible values (mostly valid, sometimes just out of range)
 * so that the deeper checks are reached.
 */
import fc from 'fast-check';
import { goodCount, goodMs, goodRate, listOf, optionsOf, pick } from './hostile-options.js';

/** `CircuitPolicy.trip`: either variant, now and then with the fields of both mixed. */
export const tripOptions = fc.oneof(
  { weight: 3, arbitrary: optionsOf({ consecutiveFailures: goodCount }) },
  {
    weight: 3,
    arbitrary: optionsOf({
      failureRate: goodRate,
      minimumCalls: goodCount,
      windowCalls: pick([5, 10, 100], [1_000_001]),
      windowMs: pick([10, 1_000, 10_000], [9, 2 ** 31]),
    }),
  },
  { weight: 1, arbitrary: optionsOf({ consecutiveFailures: goodCount, failureRate: goodRate }) },
);

/** `CircuitPolicy.openMs`: a number or a backoff. */
export const openMsOptions = fc.oneof(
  goodMs,
  optionsOf({
    initialMs: pick([1, 100, 1_000]),
    maxMs: pick([1_000, 60_000], [10, 2 ** 31]),
    multiplier: pick([1, 2], [0.5]),
    jitter: pick([0, 0.5, 1], [1.5]),
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

const budget = optionsOf({ ratio: pick([0, 0.2, 1]), minPerSecond: goodCount });

/** `MethodPolicy.retry`. */
export const retryOptions = fc.oneof(
  fc.constant(false),
  optionsOf({
    maxAttempts: pick([1, 2, 3]),
    initialDelayMs: pick([0, 1, 50]),
    maxDelayMs: pick([100, 1_000], [0, 10]),
    budget,
  }),
);

/** `MethodPolicy.hedging`: exactly one of delayMs and percentile is valid. */
export const hedgingOptions = fc.oneof(
  fc.constant(false),
  optionsOf({
    maxAttempts: pick([2, 3, 5], [1, 6]),
    delayMs: pick([0, 5, 100]),
    minDelayMs: pick([0, 1, 10]),
    budget,
  }),
  optionsOf({
    maxAttempts: pick([2, 3, 5], [1, 6]),
    percentile: pick([0.5, 0.9, 0.99], [1, 0.4]),
    minDelayMs: pick([0, 1, 10]),
    budget,
  }),
);

/** `MethodPolicy.fallback`, with its `cache`. */
export const fallbackOptions = optionsOf({
  cache: optionsOf({
    ttlMs: goodMs,
    maxEntries: goodCount,
    maxBytes: pick([1, 1_024, 1_000_000]),
    channelIdentity: pick(['unknown', 'per-interceptor'], ['other']),
    keyMetadata: listOf(pick(['x-tenant', 'authorization'], [''])),
    serveOn: pick(['open', 'open-or-failure'], ['always']),
  }),
  value: fc.constantFrom<unknown>({ id: 'fallback' }, 'v', () => ({ id: 'fn' })),
});

/** A `MethodPolicy` whose `failOn` / `ignore` entries come from `failure`. */
export function methodPolicy(failure: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return optionsOf(
    {
      circuit: circuitPolicy,
      failOn: listOf(failure),
      ignore: listOf(failure),
      classify: fc.constant(() => undefined),
      timeoutMs: goodMs,
      retry: retryOptions,
      fallback: fallbackOptions,
      idempotent: fc.boolean(),
      hedging: hedgingOptions,
    },
    ['classify'],
  );
}

/** A `methods` map over `keys` (plus the hostile own keys `optionsOf` adds). */
export function methodsMap(
  keys: readonly string[],
  failure: fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  const policy = methodPolicy(failure);
  return optionsOf(Object.fromEntries(keys.map((k) => [k, policy])));
}
