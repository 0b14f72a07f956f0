/**
 * Number of fast-check runs for a property test: the test's own count normally, scaled down by
 * `FC_RUNS_SCALE` (0 < scale ≤ 1) under mutation testing, where every surviving-mutant candidate
 * re-runs the property and 10,000 runs per mutant would take hours.
 */
export function fcRuns(runs: number): number {
  const scale = Number(process.env.FC_RUNS_SCALE ?? 1);
  if (!(scale > 0 && scale <= 1)) return runs;
  return Math.max(10, Math.round(runs * scale));
}
