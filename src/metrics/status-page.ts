/**
 * Renders the status page: one table row per circuit with its state in colour, a sparkline of its
 * recent history, window failure rate, calls, rejections, fallbacks served and time until
 * half-open. It shows only snapshot fields; every text that comes from outside this file (circuit
 * names, the title) goes through `escapeHtml`, so a circuit named `<script>` is shown as text.
 */
import type { CircuitSnapshot } from '../core/types.js';
import { STATUS_CSS, STATUS_SCRIPT } from './status-assets.js';
import { STATE_SEVERITY, type CircuitHistory } from './status-history.js';

/** What the page is made of. */
export interface StatusPageInput {
  title: string;
  snapshots: readonly CircuitSnapshot[];
  history: (snapshot: CircuitSnapshot) => CircuitHistory;
  /** Most rows shown; the least severe circuits beyond it are only counted. */
  maxRows: number;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe to place in HTML text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The whole page. */
export function renderStatusPage(input: StatusPageInput): string {
  const title = escapeHtml(input.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${STATUS_CSS}</style>
</head>
<body>
<header><h1>${title}</h1><span id="live" class="live">live</span></header>
${renderMain(input)}
<script>${STATUS_SCRIPT}</script>
</body>
</html>
`;
}

/** The part the page's script swaps in on every refresh. */
function renderMain(input: StatusPageInput): string {
  const sorted = [...input.snapshots].sort(
    (a, b) =>
      STATE_SEVERITY[b.state] - STATE_SEVERITY[a.state] ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const shown = sorted.slice(0, input.maxRows);
  const hidden = sorted.length - shown.length;
  const rows = shown.map((s) => renderRow(s, input.history(s))).join('\n');
  const more =
    hidden > 0
      ? `<p class="summary">${hidden} more circuits not shown (see ?format=json).</p>`
      : '';
  const table = shown.length
    ? `<table>
<thead><tr><th>Circuit</th><th>State</th><th>History</th><th>Failure rate</th><th>Calls</th>
<th>Rejected</th><th>Fallbacks served</th><th>Half-open in</th><th>In flight</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : '<p class="empty">No circuits yet: they appear on their first call.</p>';
  return `<main>
<p class="summary" id="summary">${summary(input.snapshots)}</p>
${table}
${more}
</main>`;
}

function summary(snapshots: readonly CircuitSnapshot[]): string {
  const byState = new Map<string, number>();
  for (const s of snapshots) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const parts = (['open', 'forced-open', 'half-open', 'disabled', 'closed'] as const)
    .filter((st) => byState.has(st))
    .map((st) => `${byState.get(st)} ${st}`);
  const n = snapshots.length;
  return `${n} circuit${n === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function renderRow(s: CircuitSnapshot, history: CircuitHistory): string {
  const name = escapeHtml(s.name);
  const c = s.counts;
  const total = c.successes + c.failures + c.ignored;
  const judged = c.successes + c.failures;
  const tripped =
    (s.state === 'open' || s.state === 'forced-open') && s.lastTripReason
      ? `<small>${escapeHtml(s.lastTripReason)}</small>`
      : '';
  return `<tr data-circuit="${name}" data-state="${s.state}">
<td class="name">${name}</td>
<td><span class="state st-${s.state}">${s.state}</span>${tripped}</td>
<td>${sparkline(history)}</td>
<td class="num">${percent(s.window.failureRate)}<small>of ${s.window.calls} in window · ${percent(judged ? c.failures / judged : 0)} overall</small></td>
<td class="num">${total}<small>${c.successes} ok · ${c.failures} failed · ${c.ignored} ignored</small></td>
<td class="num">${c.rejected}</td>
<td class="num">${c.fallbacks}</td>
<td class="num">${untilHalfOpen(s)}</td>
<td class="num">${s.inFlight}</td>
</tr>`;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}

function untilHalfOpen(s: CircuitSnapshot): string {
  switch (s.state) {
    case 'open':
      return `${(s.retryAfterMs / 1000).toFixed(1)} s`;
    case 'forced-open':
      return 'on reset()';
    case 'half-open':
      return 'probing';
    default:
      return '–';
  }
}

const WIDTH = 120;
const HEIGHT = 26;
const STRIP_H = 6;

/**
 * A history sparkline as inline SVG over the history's time span (newest at the right edge): a
 * strip coloured by state, from the recorded state changes, under a line of the sampled window
 * failure rate (0 at the bottom, 100 % at the top). A stretch outside `closed` is at least one
 * pixel wide, so a brief opening stays visible.
 */
function sparkline(h: CircuitHistory): string {
  const span = h.endMs - h.startMs;
  const x = (t: number) => (Math.min(Math.max(t - h.startMs, 0), span) / span) * WIDTH;
  const y = HEIGHT - STRIP_H;
  const parts = [`<rect class="base" x="0" y="${y}" width="${WIDTH}" height="${STRIP_H}"/>`];
  for (const s of h.spans) {
    const x0 = x(s.fromMs);
    const w = Math.max(x(s.toMs) - x0, s.state === 'closed' ? 0 : 1);
    if (w > 0)
      parts.push(
        `<rect class="f-${s.state}" x="${fixed(Math.min(x0, WIDTH - w))}" y="${y}" width="${fixed(w)}" height="${STRIP_H}"/>`,
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
  const label = `state and failure rate over the last ${Math.round(span / 1000)} s`;
  return `<svg class="spark" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${label}"><title>${label}</title>${parts.join('')}</svg>`;
}

function fixed(n: number): string {
  return String(Math.round(n * 10) / 10);
}
