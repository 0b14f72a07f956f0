/** Figures, Markdown and SVG of the resilience benchmark, computed from the raw call log. */
import { percentile } from '../harness.js';
import type { CallResult } from './contenders.js';

export interface CallRecord {
  contender: string;
  phase: number;
  startMs: number;
  latencyMs: number;
  kind: 'read' | 'write';
  result: CallResult;
}

export interface PhaseWindow {
  name: string;
  startMs: number;
  endMs: number;
}

export interface PhaseFigures {
  callsMade: number;
  reachedServer: number;
  p50Ms: number;
  p99Ms: number;
  usefulShare: number;
  amplification: number;
  tripAfterMs: number | null;
  callsAfterTrip: number;
  reachedAfterTrip: number;
  p99AfterTripMs: number;
  usefulShareAfterTrip: number;
  readUsefulShareAfterTrip: number;
}

const round = (v: number, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

/** Figures of one contender in one phase. */
export function phaseFigures(
  calls: CallRecord[],
  arrivals: Array<[atMs: number, kind: 'read' | 'write']>,
  sent: number,
  trips: { read: number | null; write: number | null },
  phaseStart: number,
): PhaseFigures {
  const useful = (cs: CallRecord[]) =>
    cs.length ? cs.filter((c) => c.result !== 'error').length / cs.length : 1;
  const tripped = trips.read !== null || trips.write !== null;
  const tripOf = (kind: 'read' | 'write') => trips[kind] ?? Infinity;
  const after = !tripped ? calls : calls.filter((c) => c.startMs >= tripOf(c.kind));
  const reachedAfter = !tripped
    ? arrivals.length
    : arrivals.filter(([t, k]) => t >= tripOf(k)).length;
  const starts = [trips.read, trips.write].filter((t): t is number => t !== null);
  const tripAt = starts.length ? Math.min(...starts) : null;
  const lat = (cs: CallRecord[]) => cs.map((c) => c.latencyMs);
  return {
    callsMade: calls.length,
    reachedServer: arrivals.length,
    p50Ms: round(percentile(lat(calls), 50)),
    p99Ms: round(percentile(lat(calls), 99)),
    usefulShare: round(useful(calls), 4),
    amplification: round(calls.length ? sent / calls.length : 0, 3),
    tripAfterMs: tripAt === null ? null : Math.max(0, tripAt - phaseStart),
    callsAfterTrip: after.length,
    reachedAfterTrip: reachedAfter,
    p99AfterTripMs: round(percentile(lat(after), 99)),
    usefulShareAfterTrip: round(useful(after), 4),
    readUsefulShareAfterTrip: round(useful(after.filter((c) => c.kind === 'read')), 4),
  };
}

/** From the recovered phase's start until the first of 10 real answers in a row. */
export function recoveryMs(calls: CallRecord[], recoveredStart: number): number | null {
  const ordered = calls
    .filter((c) => c.startMs >= recoveredStart)
    .sort((a, b) => a.startMs - b.startMs);
  let run = 0;
  for (let i = 0; i < ordered.length; i++) {
    run = ordered[i]!.result === 'ok' ? run + 1 : 0;
    if (run === 10) return Math.round(ordered[i - 9]!.startMs - recoveredStart);
  }
  return null;
}

/** The Markdown table of the report. */
export function markdown(
  results: Record<string, { phases: Record<string, PhaseFigures>; recoveryMs: number | null }>,
): string {
  const lines = [
    '| contender | phase | calls | reached server | p50 ms | p99 ms | useful | amplification | trip after ms | p99 after trip ms | reached after trip | useful after trip |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const [name, r] of Object.entries(results)) {
    for (const [phase, f] of Object.entries(r.phases)) {
      lines.push(
        `| ${name} | ${phase} | ${f.callsMade} | ${f.reachedServer} | ${f.p50Ms} | ${f.p99Ms} | ${(f.usefulShare * 100).toFixed(1)} % | ${f.amplification} | ${f.tripAfterMs ?? '-'} | ${f.p99AfterTripMs} | ${f.reachedAfterTrip} | ${(f.usefulShareAfterTrip * 100).toFixed(1)} % |`,
      );
    }
  }
  lines.push(
    '',
    '| contender | recovery ms (recovered phase start → 10 real answers in a row) |',
    '|---|---|',
  );
  for (const [name, r] of Object.entries(results))
    lines.push(`| ${name} | ${r.recoveryMs ?? 'not within the phase'} |`);
  return lines.join('\n');
}

const COLORS = ['#6b7280', '#b45309', '#7c3aed', '#0891b2', '#16a34a', '#dc2626'];

/**
 * A timeline: one lane per contender, shaded where its breaker was open, with its per-second
 * p99 latency (log scale, 1 ms – 2 s) as a line; phases as labelled bands.
 */
export function timelineSvg(
  names: string[],
  calls: CallRecord[],
  phases: PhaseWindow[],
  openSamples: Record<string, Array<[number, boolean]>>,
): string {
  const t0 = phases[0]!.startMs;
  const t1 = phases[phases.length - 1]!.endMs;
  const width = 1000;
  const lane = 70;
  const left = 130;
  const top = 30;
  const height = top + names.length * lane + 20;
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (width - left - 10);
  const y = (i: number, ms: number) => {
    const v = Math.log10(Math.max(1, Math.min(2_000, ms))) / Math.log10(2_000);
    return top + i * lane + lane - 8 - v * (lane - 16);
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  phases.forEach((p, i) => {
    parts.push(
      `<rect x="${x(p.startMs)}" y="${top - 20}" width="${x(p.endMs) - x(p.startMs)}" height="${height - top}" fill="${i % 2 ? '#f3f4f6' : '#fafafa'}"/>`,
    );
    parts.push(`<text x="${x(p.startMs) + 3}" y="${top - 8}">${p.name}</text>`);
  });
  names.forEach((name, i) => {
    parts.push(`<text x="5" y="${top + i * lane + lane / 2}">${name}</text>`);
    parts.push(
      `<line x1="${left}" x2="${width - 10}" y1="${top + (i + 1) * lane}" y2="${top + (i + 1) * lane}" stroke="#ddd"/>`,
    );
    const samples = openSamples[name] ?? [];
    for (let s = 0; s < samples.length; s++) {
      const [at, open] = samples[s]!;
      const next = samples[s + 1]?.[0] ?? at;
      if (open)
        parts.push(
          `<rect x="${x(at)}" y="${top + i * lane + 2}" width="${Math.max(0.5, x(next) - x(at))}" height="${lane - 4}" fill="#fecaca" opacity="0.6"/>`,
        );
    }
    const bySecond = new Map<number, number[]>();
    for (const c of calls)
      if (c.contender === name) {
        const sec = Math.floor((c.startMs - t0) / 500);
        (bySecond.get(sec) ?? bySecond.set(sec, []).get(sec)!).push(c.latencyMs);
      }
    const points = [...bySecond.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(
        ([sec, l]) => `${x(t0 + sec * 500 + 250).toFixed(1)},${y(i, percentile(l, 99)).toFixed(1)}`,
      );
    parts.push(
      `<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>`,
    );
  });
  parts.push(
    `<text x="${left}" y="${height - 5}">shaded: breaker open · line: p99 caller latency per 0.5 s (log scale 1 ms – 2 s)</text>`,
    '</svg>',
  );
  return parts.join('\n');
}
