/**
 * The status page's only script, inline (allowed by its hash in the page's CSP).
 *
 * Every second, while the tab is visible, it fetches the same URL with `?format=json` (the
 * registry's snapshots) and brings the table up to date: rows are matched by circuit name, filled
 * through `textContent` only (a circuit name can never become markup), created from the page's
 * `<template id="row">`, removed when their circuit is gone, and re-ordered most severe first.
 * Its formatting mirrors `rowFields`/`summaryText` in status-page.ts; the browser test checks
 * that a page refreshed here reads exactly like one rendered by the server.
 *
 * Sparklines: each row's `<svg data-history>` holds the server's history at render time (times
 * relative to then). The script continues it with one point per refresh, on its own
 * `performance.now()` time base, and redraws with the server's geometry (`SPARK`). A state change
 * is placed at the refresh that first sees it; one that came and went between two refreshes is
 * missed here but kept by the server (a reload shows it). The server samples its own history on
 * these same JSON requests, so nothing runs on the server between requests.
 *
 * It is written without `${` and backslashes so that this TypeScript template literal holds it
 * as is.
 */
import { STATE_SEVERITY } from './status-history.js';
import { SPARK } from './status-sparkline.js';

/** The page's script (plain ES2020, no dependencies). */
export const STATUS_SCRIPT = `
(() => {
  'use strict';
  const SEVERITY = ${JSON.stringify(STATE_SEVERITY)};
  const SPARK = ${JSON.stringify(SPARK)};
  const ORDER = ['open', 'forced-open', 'half-open', 'disabled', 'closed'];
  const byId = (id) => document.getElementById(id);
  const main = document.querySelector('main');
  const table = byId('circuits');
  const tbody = table.tBodies[0];
  const template = byId('row');
  const live = byId('live');
  const maxRows = Number(main.dataset.maxRows);
  const spanMs = Number(main.dataset.historyMs);
  const svgNs = template.content.querySelector('svg').namespaceURI;
  const url = new URL(location.href);
  url.searchParams.set('format', 'json');
  const rows = new Map();
  const history = new Map();

  const loadedAt = performance.now();
  for (const tr of tbody.rows) {
    const h = { spans: [], rates: [] };
    try {
      const seed = JSON.parse(tr.querySelector('svg.spark').dataset.history);
      for (const s of seed.spans) h.spans.push([s[0], loadedAt + s[1], loadedAt + s[2]]);
      for (const r of seed.rates) h.rates.push([loadedAt + r[0], r[1]]);
    } catch (error) {
      // No seed: the sparkline starts with the first refresh.
    }
    rows.set(tr.dataset.circuit, tr);
    history.set(tr.dataset.circuit, h);
  }

  const percent = (rate) => Math.round(rate * 1000) / 10 + ' %';
  const severity = (s) => (Object.hasOwn(SEVERITY, s.state) ? SEVERITY[s.state] : 0);
  const fixed = (n) => String(Math.round(n * 10) / 10);

  function untilHalfOpen(s) {
    if (s.state === 'open') return (s.retryAfterMs / 1000).toFixed(1) + ' s';
    if (s.state === 'forced-open') return 'on reset()';
    if (s.state === 'half-open') return 'probing';
    return '–';
  }

  function fields(s) {
    const c = s.counts;
    const judged = c.successes + c.failures;
    const tripped = (s.state === 'open' || s.state === 'forced-open') && s.lastTripReason;
    return {
      name: s.name,
      state: s.state,
      reason: tripped ? s.lastTripReason : '',
      rate: percent(s.window.failureRate),
      'rate-detail': 'of ' + s.window.calls + ' in window · ' +
        (s.window.consecutiveFailures > 0 ? s.window.consecutiveFailures + ' in a row · ' : '') +
        percent(judged ? c.failures / judged : 0) + ' overall',
      calls: String(c.successes + c.failures + c.ignored),
      'calls-detail': c.successes + ' ok · ' + c.failures + ' failed · ' + c.ignored + ' ignored',
      rejected: String(c.rejected),
      fallbacks: String(c.fallbacks),
      'half-open': untilHalfOpen(s),
      'in-flight': String(s.inFlight),
    };
  }

  function summaryText(list) {
    const count = new Map();
    for (const s of list) count.set(s.state, (count.get(s.state) || 0) + 1);
    const parts = ORDER.filter((st) => count.has(st)).map((st) => count.get(st) + ' ' + st);
    return list.length + ' circuit' + (list.length === 1 ? '' : 's') +
      (parts.length ? ': ' + parts.join(', ') : '');
  }

  function observe(s, now) {
    let h = history.get(s.name);
    if (!h) {
      h = { spans: [], rates: [] };
      history.set(s.name, h);
    }
    const last = h.spans[h.spans.length - 1];
    if (last && last[0] === s.state) last[2] = now;
    else h.spans.push([s.state, last ? last[2] : now - spanMs, now]);
    h.rates.push([now, s.window.failureRate]);
    const start = now - spanMs;
    while (h.spans.length > 1 && h.spans[0][2] <= start) h.spans.shift();
    while (h.rates.length && h.rates[0][0] < start) h.rates.shift();
  }

  function draw(svg, h, now) {
    const start = now - spanMs;
    const x = (t) => (Math.min(Math.max(t - start, 0), spanMs) / spanMs) * SPARK.width;
    const y = SPARK.height - SPARK.strip;
    const shape = (tag, attributes) => {
      const el = document.createElementNS(svgNs, tag);
      for (const k of Object.keys(attributes)) el.setAttribute(k, attributes[k]);
      return el;
    };
    const strip = (cls, x0, w) =>
      shape('rect', { class: cls, x: fixed(x0), y: y, width: fixed(w), height: SPARK.strip });
    const parts = [svg.querySelector('title'), strip('base', 0, SPARK.width)];
    for (const s of h.spans) {
      const x0 = x(s[1]);
      const w = Math.max(x(s[2]) - x0, s[0] === 'closed' ? 0 : 1);
      if (w > 0) parts.push(strip('f-' + s[0], Math.min(x0, SPARK.width - w), w));
    }
    const top = 2;
    const bottom = y - 2;
    const points = h.rates.map((r) => [x(r[0]), bottom - r[1] * (bottom - top)]);
    if (points.length === 1) points.unshift([Math.max(points[0][0] - 2, 0), points[0][1]]);
    if (points.length) {
      const coords = points.map((p) => fixed(p[0]) + ',' + fixed(p[1])).join(' ');
      parts.push(shape('polyline', { class: 'rate', points: coords }));
    }
    svg.replaceChildren(...parts.filter(Boolean));
  }

  function fill(tr, s) {
    const f = fields(s);
    tr.dataset.circuit = f.name;
    tr.dataset.state = f.state;
    for (const el of tr.querySelectorAll('[data-f]')) {
      const text = f[el.dataset.f];
      if (el.textContent !== text) el.textContent = text;
    }
    tr.querySelector('[data-f="state"]').className = 'state st-' + f.state;
  }

  function render(list, now) {
    const names = new Set();
    for (const s of list) {
      observe(s, now);
      names.add(s.name);
    }
    for (const name of history.keys()) if (!names.has(name)) history.delete(name);
    const sorted = list.slice().sort((a, b) =>
      severity(b) - severity(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const shown = sorted.slice(0, maxRows);
    const kept = new Set();
    for (const s of shown) {
      let tr = rows.get(s.name);
      if (!tr) {
        tr = template.content.firstElementChild.cloneNode(true);
        rows.set(s.name, tr);
      }
      fill(tr, s);
      draw(tr.querySelector('svg.spark'), history.get(s.name), now);
      tbody.append(tr);
      kept.add(s.name);
    }
    for (const [name, tr] of rows) {
      if (kept.has(name)) continue;
      tr.remove();
      rows.delete(name);
    }
    const hidden = list.length - shown.length;
    byId('summary').textContent = summaryText(list);
    byId('more').textContent =
      hidden + ' more circuit' + (hidden === 1 ? '' : 's') + ' not shown (see ?format=json).';
    byId('more').hidden = hidden <= 0;
    table.hidden = shown.length === 0;
    byId('empty').hidden = shown.length > 0;
  }

  let busy = false;
  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const res = await fetch(url, { cache: 'no-store', headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const list = await res.json();
      if (!Array.isArray(list)) throw new Error('not a list of circuits');
      render(list, performance.now());
      live.textContent = 'live · updated ' + new Date().toLocaleTimeString();
      live.className = 'live';
    } catch (error) {
      live.textContent = 'cannot reach the server (' + (error && error.message) + '); retrying';
      live.className = 'live down';
    } finally {
      busy = false;
    }
  }
  setInterval(refresh, 1000);
  document.addEventListener('visibilitychange', refresh);
})();
`;
