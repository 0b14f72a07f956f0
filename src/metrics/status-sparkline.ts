/**
 * A circuit's recent history as a small inline SVG: a strip coloured by state (from the recorded
 * state changes) under a line of the sampled window failure rate (0 at the bottom, 100 % at the
 * top), over the history's time span with the newest at the right edge. A stretch outside
 * `closed` is at least one pixel wide, so a brief opening stays visible.
 *
 * The server draws it here; the page's script (status-script.ts) redraws it with the same
 * geometry from the history seed written next to it (`data-history`) plus what each refresh
 * brings, so both must keep to `SPARK`.
 */
import type { CircuitHistory } from './status-history.js';

/** Sparkline geometry in pixels, shared with the page's script. */
export const SPARK = Object.freeze({ width: 120, height: 26, strip: 6 });

/** The history as the page's script reads it: times in ms relative to `endMs` (so ≤ 0). */
export interface HistorySeed {
  spanMs: number;
  /** `[state, fromMs, toMs]`, oldest first. */
  spans: [string, number, number][];
  /** `[atMs, failureRate]`, oldest first. */
  rates: [number, number][];
}

/** The seed of `h` for the page's script. */
export function historySeed(h: CircuitHistory): HistorySeed {
  const rel = (t: number) => Math.round(t - h.endMs);
  return {
    spanMs: h.endMs - h.startMs,
    spans: h.spans.map((s) => [s.state, rel(s.fromMs), rel(s.toMs)]),
    rates: h.rates.map((p) => [rel(p.atMs), Math.round(p.failureRate * 1000) / 1000]),
  };
}

/**
 * The sparkline of `h` as an `<svg>` element carrying `seedAttr` (already escaped for a quoted
 * attribute) as its `data-history`.
 */
export function sparklineSvg(h: CircuitHistory, seedAttr: string): string {
  const { width, height, strip } = SPARK;
  const span = h.endMs - h.startMs;
  const x = (t: number) => (Math.min(Math.max(t - h.startMs, 0), span) / span) * width;
  const y = height - strip;
  const parts = [`<rect class="base" x="0" y="${y}" width="${width}" height="${strip}"/>`];
  for (const s of h.spans) {
    const x0 = x(s.fromMs);
    const w = Math.max(x(s.toMs) - x0, s.state === 'closed' ? 0 : 1);
    if (w > 0)
      parts.push(
        `<rect class="f-${s.state}" x="${fixed(Math.min(x0, width - w))}" y="${y}" width="${fixed(w)}" height="${strip}"/>`,
      );
  }
  const top = 2;
  const bottom = y - 2;
  const coords = h.rates.map((p) => [x(p.atMs), bottom - p.failureRate * (bottom - top)] as const);
  if (coords.length === 1) coords.unshift([Math.max(coords[0]![0] - 2, 0), coords[0]![1]]);
  if (coords.length)
    parts.push(
      `<polyline class="rate" points="${coords.map(([a, b]) => `${fixed(a)},${fixed(b)}`).join(' ')}"/>`,
    );
  const label = sparklineLabel(span);
  return `<svg class="spark" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}" data-history="${seedAttr}"><title>${label}</title>${parts.join('')}</svg>`;
}

/** The sparkline's accessible label for a span of `spanMs`. */
export function sparklineLabel(spanMs: number): string {
  return `state and failure rate over the last ${Math.round(spanMs / 1000)} s`;
}

function fixed(n: number): string {
  return String(Math.round(n * 10) / 10);
}
