/**
 * The README's timeline of the endpoints benchmark: one lane per contender, the six phases side
 * by side (each contender ran each phase on its own fresh client, so time is phase-relative), and
 * per 100 ms bucket requests sent to the sick backend (blue line) and calls failed (red area).
 * Round robin sends it 5 of every 20 calls per 100 ms; a line at zero means it is ejected.
 */
import { ENDPOINT_PHASES } from './figures.js';
import { perBucket } from './phase-figures.js';
import { PHASE_MS, type PhaseLog } from './phase-runner.js';

const BUCKET_MS = 100;
const Y_MAX = 20; // calls per 100 ms at 200 calls/s

/** One lane: a contender's phase logs in phase order (missing phases leave the lane empty). */
export interface Lane {
  label: string;
  logs: PhaseLog[];
}

/** The SVG text. `sick` is the sick backend's id. */
export function timelineSvg(lanes: Lane[], sick: string): string {
  const left = 170;
  const width = 1100;
  const laneH = 80;
  const top = 34;
  const height = top + lanes.length * laneH + 28;
  const windowMs = (phase: string) => {
    for (const lane of lanes) {
      const log = lane.logs.find((l) => l.phase === phase);
      if (log) return log.t0 - log.windowStart + PHASE_MS;
    }
    return 1;
  };
  const spans = ENDPOINT_PHASES.map((p) => windowMs(p));
  const total = spans.reduce((a, b) => a + b, 0);
  const scale = (width - left - 10) / total;
  const starts = spans.map((_, i) => left + spans.slice(0, i).reduce((a, b) => a + b, 0) * scale);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
  ];
  ENDPOINT_PHASES.forEach((p, i) => {
    const x = starts[i]!;
    out.push(
      `<rect x="${x.toFixed(1)}" y="${top - 22}" width="${(spans[i]! * scale).toFixed(1)}" height="${height - top - 6}" fill="${i % 2 ? '#f3f4f6' : '#fafafa'}"/>`,
      `<text x="${(x + 3).toFixed(1)}" y="${top - 10}">${p === 'recovered' ? 'errors → recovered' : p}</text>`,
    );
  });
  lanes.forEach((lane, li) => {
    const base = top + (li + 1) * laneH - 6;
    const y = (v: number) => (base - (Math.min(v, Y_MAX) / Y_MAX) * (laneH - 14)).toFixed(1);
    out.push(
      `<text x="5" y="${base - laneH / 2 + 8}">${lane.label}</text>`,
      `<line x1="${left}" x2="${width - 10}" y1="${base}" y2="${base}" stroke="#ccc"/>`,
      `<line x1="${left}" x2="${width - 10}" y1="${y(5)}" y2="${y(5)}" stroke="#ddd" stroke-dasharray="2,3"/>`,
    );
    for (const log of lane.logs) {
      const i = ENDPOINT_PHASES.indexOf(log.phase);
      const { toSick, failed } = perBucket(log, sick, BUCKET_MS);
      const x = (b: number) => (starts[i]! + (b + 0.5) * BUCKET_MS * scale).toFixed(1);
      const pts = (vs: number[]) => vs.map((v, b) => `${x(b)},${y(v)}`).join(' ');
      const x0 = starts[i]!.toFixed(1);
      const x1 = x(failed.length - 1);
      out.push(
        `<polygon points="${x0},${base} ${pts(failed)} ${x1},${base}" fill="#fecaca" stroke="#dc2626" stroke-width="0.8"/>`,
        `<polyline points="${pts(toSick)}" fill="none" stroke="#2563eb" stroke-width="1.6"/>`,
      );
      if (log.phase === 'recovered') {
        const x0 = (starts[i]! + (log.t0 - log.windowStart) * scale).toFixed(1);
        out.push(
          `<line x1="${x0}" x2="${x0}" y1="${base - laneH + 10}" y2="${base}" stroke="#16a34a" stroke-dasharray="3,2"/>`,
        );
      }
    }
    if (lane.logs.length === 0)
      out.push(
        `<text x="${left + 10}" y="${base - laneH / 2 + 8}" fill="#888">not available</text>`,
      );
  });
  out.push(
    `<text x="${left}" y="${height - 8}">per 100 ms: <tspan fill="#2563eb">requests to the sick backend</tspan> · <tspan fill="#dc2626">failed calls</tspan> (0–${Y_MAX}; 200 calls/s = 20 per 100 ms; dotted: 5, its round-robin share) · green dashes: the backend heals</text>`,
    '</svg>',
  );
  return out.join('\n');
}
