/**
 * Renders the status page: one table row per circuit with its state in colour, a sparkline of its
 * recent history, window failure rate, calls, rejections, fallbacks served and time until
 * half-open. It shows only snapshot fields; every text that comes from outside this file (circuit
 * names, the title) goes through `escapeHtml`, so a circuit named `<script>` is shown as text.
 *
 * The server renders the first view (it also works without JavaScript). The page's script
 * (status-script.ts) then fetches `?format=json` every second and fills the same rows through
 * `textContent`: every cell it updates carries `data-f="<field>"`, with the text `rowFields`
 * gives here, and new circuits get a copy of the `<template id="row">` rendered from the same
 * markup. The script's copy of `rowFields` and `summaryText` must keep to these.
 */
import type { CircuitSnapshot, CircuitState } from '../core/types.js';
import { STATUS_CSS } from './status-assets.js';
import { STATUS_CONTROL_SCRIPT } from './status-control-script.js';
import { STATUS_SCRIPT } from './status-script.js';
import { STATE_SEVERITY, type CircuitHistory } from './status-history.js';
import { historySeed, sparklineSvg } from './status-sparkline.js';

/** What the page is made of. */
export interface StatusPageInput {
  title: string;
  snapshots: readonly CircuitSnapshot[];
  history: (snapshot: CircuitSnapshot) => CircuitHistory;
  /** Most rows shown; the least severe circuits beyond it are only counted. */
  maxRows: number;
  /** How far back the sparklines reach, ms. */
  historyMs: number;
  /** Where the control handler answers (same origin); the operator panel is shown only then. */
  controlUrl?: string;
}

/** The texts of one row, by the `data-f` name of the element that shows each. */
export interface RowFields {
  name: string;
  state: CircuitState;
  /** Why an open or forced-open circuit opened; empty otherwise. */
  reason: string;
  rate: string;
  'rate-detail': string;
  calls: string;
  'calls-detail': string;
  rejected: string;
  fallbacks: string;
  'half-open': string;
  'in-flight': string;
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
  const emptyHistory: CircuitHistory = {
    startMs: -input.historyMs,
    endMs: 0,
    spans: [],
    rates: [],
  };
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
<template id="row">${renderRow(BLANK, emptyHistory)}</template>
<script>${STATUS_SCRIPT}</script>
${input.controlUrl === undefined ? '' : `<script>${STATUS_CONTROL_SCRIPT}</script>\n`}</body>
</html>
`;
}

/** Circuits most severe first, then by name; the order the page's script keeps too. */
export function sortForPage(snapshots: readonly CircuitSnapshot[]): CircuitSnapshot[] {
  return [...snapshots].sort(
    (a, b) =>
      STATE_SEVERITY[b.state] - STATE_SEVERITY[a.state] ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function renderMain(input: StatusPageInput): string {
  const shown = sortForPage(input.snapshots).slice(0, input.maxRows);
  const hidden = input.snapshots.length - shown.length;
  const rows = shown.map((s) => renderRow(rowFields(s), input.history(s))).join('\n');
  const control = input.controlUrl === undefined ? '' : renderControl(input.controlUrl);
  return `<main data-max-rows="${input.maxRows}" data-history-ms="${input.historyMs}">
${control}<p class="summary" id="summary">${summaryText(input.snapshots)}</p>
<table id="circuits"${control ? ' class="controlled"' : ''}${shown.length ? '' : ' hidden'}>
<thead><tr><th>Circuit</th><th>State</th><th>History</th><th>Failure rate</th><th>Calls</th>
<th>Rejected</th><th>Fallbacks served</th><th>Half-open in</th><th>In flight</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="summary" id="more"${hidden > 0 ? '' : ' hidden'}>${moreText(hidden)}</p>
<p class="empty" id="empty"${shown.length ? ' hidden' : ''}>No circuits yet: they appear on their first call.</p>
</main>`;
}

/** The operator panel: pick a circuit (or click its row), an action, type the token. */
function renderControl(controlUrl: string): string {
  return `<form id="control" class="control" autocomplete="off" data-control-url="${escapeHtml(controlUrl)}">
<label>Circuit <input id="ctl-circuit" name="circuit" list="ctl-names" required size="40"></label>
<datalist id="ctl-names"></datalist>
<label>Action <select id="ctl-action" name="action"><option value="force-open">force open</option><option value="disable">disable</option><option value="reset">reset</option></select></label>
<label>Token <input id="ctl-token" name="token" type="password" autocomplete="off" required></label>
<button type="submit">Apply</button> <output id="ctl-result"></output>
</form>
`;
}

/** "3 circuits: 1 open, 2 closed". */
export function summaryText(snapshots: readonly CircuitSnapshot[]): string {
  const byState = new Map<string, number>();
  for (const s of snapshots) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const parts = (['open', 'forced-open', 'half-open', 'disabled', 'closed'] as const)
    .filter((st) => byState.has(st))
    .map((st) => `${byState.get(st)} ${st}`);
  const n = snapshots.length;
  return `${n} circuit${n === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function moreText(hidden: number): string {
  return `${hidden} more circuit${hidden === 1 ? '' : 's'} not shown (see ?format=json).`;
}

/** The texts a row shows for snapshot `s`. */
export function rowFields(s: CircuitSnapshot): RowFields {
  const c = s.counts;
  const judged = c.successes + c.failures;
  const tripped = (s.state === 'open' || s.state === 'forced-open') && s.lastTripReason;
  return {
    name: s.name,
    state: s.state,
    reason: tripped ? s.lastTripReason! : '',
    rate: percent(s.window.failureRate),
    'rate-detail':
      `of ${s.window.calls} in window · ` +
      (s.window.consecutiveFailures > 0 ? `${s.window.consecutiveFailures} in a row · ` : '') +
      `${percent(judged ? c.failures / judged : 0)} overall`,
    calls: String(c.successes + c.failures + c.ignored),
    'calls-detail': `${c.successes} ok · ${c.failures} failed · ${c.ignored} ignored`,
    rejected: String(c.rejected),
    fallbacks: String(c.fallbacks),
    'half-open': untilHalfOpen(s),
    'in-flight': String(s.inFlight),
  };
}

function renderRow(f: RowFields, history: CircuitHistory): string {
  const e = (k: keyof RowFields) => escapeHtml(f[k]);
  const seed = escapeHtml(JSON.stringify(historySeed(history)));
  return `<tr data-circuit="${e('name')}" data-state="${e('state')}">
<td class="name" data-f="name">${e('name')}</td>
<td><span class="state st-${e('state')}" data-f="state">${e('state')}</span><small data-f="reason">${e('reason')}</small></td>
<td>${sparklineSvg(history, seed)}</td>
<td class="num"><span data-f="rate">${e('rate')}</span><small data-f="rate-detail">${e('rate-detail')}</small></td>
<td class="num"><span data-f="calls">${e('calls')}</span><small data-f="calls-detail">${e('calls-detail')}</small></td>
<td class="num" data-f="rejected">${e('rejected')}</td>
<td class="num" data-f="fallbacks">${e('fallbacks')}</td>
<td class="num" data-f="half-open">${e('half-open')}</td>
<td class="num" data-f="in-flight">${e('in-flight')}</td>
</tr>`;
}

/** The row the template holds: every text empty, filled in by the page's script. */
const BLANK: RowFields = {
  name: '',
  state: 'closed',
  reason: '',
  rate: '',
  'rate-detail': '',
  calls: '',
  'calls-detail': '',
  rejected: '',
  fallbacks: '',
  'half-open': '',
  'in-flight': '',
};

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
