/**
 * Exponential backoff with full jitter (the AWS architecture blog's "full jitter"): the n-th
 * retry waits a uniform random time in [0, min(maxDelayMs, initialDelayMs × 2^(n-1))], which
 * spreads a fleet's retries instead of synchronising them.
 */

/** Default first backoff ceiling, ms. */
export const DEFAULT_INITIAL_DELAY_MS = 100;
/** Default largest backoff ceiling, ms. */
export const DEFAULT_MAX_DELAY_MS = 5_000;

/**
 * @param retryNumber 1 for the first retry
 * @returns the delay before that retry, ms
 */
export function retryDelayMs(
  retryNumber: number,
  initialDelayMs = DEFAULT_INITIAL_DELAY_MS,
  maxDelayMs = DEFAULT_MAX_DELAY_MS,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * Math.pow(2, Math.max(0, retryNumber - 1)));
  return random() * ceiling;
}
