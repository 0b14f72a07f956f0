/**
 * One registry snapshot per scrape. prom-client calls every metric's `collect()` in the same
 * synchronous pass (and an OpenTelemetry batch callback runs once), so a snapshot taken by the
 * first collector is reused until the current task's microtasks run; the next scrape takes a
 * fresh one. No timer is involved.
 */
import type { CircuitSnapshot } from '../core/types.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';

/** Returns a function giving the registry's snapshots, taken at most once per synchronous pass. */
export function scrapeSnapshots(registry: CircuitRegistry): () => readonly CircuitSnapshot[] {
  let cached: CircuitSnapshot[] | undefined;
  return () => {
    if (cached === undefined) {
      cached = registry.snapshot();
      queueMicrotask(() => {
        cached = undefined;
      });
    }
    return cached;
  };
}
