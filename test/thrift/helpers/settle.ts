/**
 * Waiting on a call in a test without ever waiting forever: `settle` resolves with how the call
 * ended and how long it took, and fails the test if it has not ended within a bound.
 */

/** How a call ended. */
export type Settled =
  { ok: true; value: unknown; ms: number } | { ok: false; error: unknown; ms: number };

/** Waits for `p`, at most `boundMs`; throws (failing the test) when it is still pending then. */
export async function settle(p: Promise<unknown>, boundMs: number): Promise<Settled> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`call still pending after ${boundMs} ms (it hangs)`)),
      boundMs,
    );
  });
  try {
    return await Promise.race([
      p.then(
        (value): Settled => ({ ok: true, value, ms: performance.now() - start }),
        (error: unknown): Settled => ({ ok: false, error, ms: performance.now() - start }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error of a settled call; throws when the call succeeded. */
export function errorOf(s: Settled): unknown {
  if (s.ok) throw new Error(`expected the call to fail; it returned ${JSON.stringify(s.value)}`);
  return s.error;
}

/** Resolves after `ms` (only for waiting on real servers, never for core logic). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
