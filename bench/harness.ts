/**
 * Small helpers shared by the benchmarks: interleaved rounds, medians, tables, result files.
 * A benchmark compares contenders in the same process and run; rounds rotate the order so that
 * warm-up, GC and frequency drift fall evenly on everybody.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));

/** Median of a list of numbers (NaN for an empty list). */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0..100) of a list, nearest-rank. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Runs `measure(name)` for every contender, `rounds` times, rotating the order each round.
 * Returns each contender's list of results.
 */
export async function interleaved<T>(
  names: readonly string[],
  rounds: number,
  measure: (name: string) => Promise<T>,
): Promise<Record<string, T[]>> {
  const out: Record<string, T[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      out[name]!.push(await measure(name));
    }
  }
  return out;
}

/** Prints a Markdown table and returns it. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const fmt = (v: string | number) => (typeof v === 'number' ? formatNumber(v) : v);
  const lines = [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(fmt).join(' | ')} |`),
  ];
  const text = lines.join('\n');
  console.log(text);
  return text;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Writes `bench/results/<name>.json` (figures plus the Markdown tables) for the README. */
export function saveResults(name: string, data: unknown): string {
  const dir = join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      { measuredAt: new Date().toISOString(), node: process.version, ...(data as object) },
      null,
      2,
    ),
  );
  return file;
}

/** True when this module is the process's entry point (run directly with tsx). */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === process.argv[1];
}
