import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import type { CircuitSnapshot } from '../../src/core/types.js';
import {
  createStatusHandler,
  type StatusHandlerOptions,
} from '../../src/metrics/status-handler.js';
import { STATUS_SCRIPT } from '../../src/metrics/status-script.js';
import type { HistorySeed } from '../../src/metrics/status-sparkline.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { listen, type RunningServer } from './http-server.js';

const open: Array<RunningServer | { dispose(): void }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    if ('close' in o) await o.close();
    else o.dispose();
  }
});

async function serve(registry: CircuitRegistry, options?: StatusHandlerOptions) {
  const handler = createStatusHandler(registry, options);
  const server = await listen(handler);
  open.push(handler, server);
  return server.url;
}

/** The table body: the server-rendered rows (the page's `<template>` row is outside it). */
function tbodyOf(html: string): string {
  return /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
}

async function sparkOf(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  return /<svg class="spark".*?<\/svg>/.exec(tbodyOf(html))![0];
}

/** The history seed the page's script continues, from the first row's sparkline. */
function seedOf(spark: string): HistorySeed {
  const attr = /data-history="([^"]*)"/.exec(spark)![1]!;
  return JSON.parse(attr.replaceAll('&quot;', '"')) as HistorySeed;
}

function tripped(clock = new ManualClock()) {
  const registry = new CircuitRegistry({
    clock,
    defaults: { trip: { consecutiveFailures: 2 }, openMs: 30_000 },
  });
  const payments = registry.get('/pay.Payments/Charge');
  payments.tryAcquire()!.record('success', 5);
  payments.tryAcquire()!.record('failure', 5);
  payments.tryAcquire()!.record('failure', 5);
  payments.tryAcquire(); // rejected
  registry.recordFallback('/pay.Payments/Charge', 'cache');
  registry.get('/pay.Payments/Refund').tryAcquire()!.record('success', 5);
  return { clock, registry };
}

describe('createStatusHandler', () => {
  it('serves the registry snapshot as JSON with ?format=json', async () => {
    const { clock, registry } = tripped();
    const url = await serve(registry);
    clock.advance(2_500);
    const res = await fetch(`${url}/?format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await res.json()) as CircuitSnapshot[];
    const again = registry.snapshot();
    expect(body).toEqual(again.map((s) => ({ ...s, takenAt: body[0]!.takenAt })));
    expect(Math.abs(body[0]!.takenAt! - again[0]!.takenAt!)).toBeLessThan(60_000);
    const payments = body.find((s) => s.name === '/pay.Payments/Charge')!;
    expect(payments).toMatchObject({
      state: 'open',
      retryAfterMs: 27_500,
      lastTripReason: 'consecutive-failures',
      counts: { successes: 1, failures: 2, rejected: 1, fallbacks: 1 },
    });
  });

  it('serves an HTML page of every circuit, most severe first, with nothing loaded from elsewhere', async () => {
    const { clock, registry } = tripped();
    const url = await serve(registry);
    clock.advance(2_500);
    const res = await fetch(`${url}/circuits`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'/);
    const html = await res.text();
    expect(html).toContain('2 circuits: 1 open, 1 closed');
    const rows = tbodyOf(html).split('<tr data-circuit=').slice(1);
    expect(rows.map((r) => r.slice(0, r.indexOf('"', 1) + 1))).toEqual([
      '"/pay.Payments/Charge"',
      '"/pay.Payments/Refund"',
    ]);
    const charge = rows[0]!;
    expect(charge).toContain(
      '<span class="state st-open" data-f="state">open</span><small data-f="reason">consecutive-failures</small>',
    );
    expect(charge).toContain('<td class="num" data-f="half-open">27.5 s</td>');
    expect(charge).toContain('<td class="num" data-f="fallbacks">1</td>');
    expect(charge).toContain('1 ok · 2 failed · 0 ignored');
    expect(charge).toMatch(/<svg class="spark"[^>]*>.*<rect class="f-open"/);
    expect(html).not.toMatch(/\b(src|href)="(?!data:)/); // no external assets
    expect(html).not.toMatch(/https?:\/\//);
    // New circuits are drawn by the page's script from this blank row.
    expect(html).toMatch(/<template id="row"><tr data-circuit="" data-state="closed">/);
    expect(html).toContain('<main data-max-rows="500" data-history-ms="60000">');
  });

  it('ships a page script that parses and refreshes from ?format=json', () => {
    expect(() => new Function(STATUS_SCRIPT)).not.toThrow();
    expect(STATUS_SCRIPT).toContain("url.searchParams.set('format', 'json')");
    expect(STATUS_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it('renders circuit names as text, never as markup', async () => {
    const registry = new CircuitRegistry();
    const evil = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "a'b&c"];
    for (const name of evil) registry.get(name).tryAcquire()!.record('success', 1);
    const url = await serve(registry, { title: '<b>ops</b>' });
    const html = await (await fetch(url)).text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('a&#39;b&amp;c');
    expect(html).toContain('<title>&lt;b&gt;ops&lt;/b&gt;</title>');
    for (const name of evil) expect(html).not.toContain(name);
    expect(html.match(/<script>/g)).toHaveLength(1); // only the page's own script
    const json = (await (await fetch(`${url}?format=json`)).json()) as CircuitSnapshot[];
    expect(json.map((s) => s.name).sort()).toEqual([...evil].sort());
  });

  it('answers other methods with 405, HEAD without a body, and an unknown format with 400', async () => {
    const url = await serve(tripped().registry);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(url, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      expect(await res.text()).toBe('method not allowed\n');
    }
    const head = await fetch(`${url}?format=json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await head.text()).toBe('');
    const bad = await fetch(`${url}?format=xml`);
    expect(bad.status).toBe(400);
  });

  it('draws the state strip from state changes, including those between page views', async () => {
    const clock = new ManualClock();
    const registry = new CircuitRegistry({ clock, defaults: { trip: { consecutiveFailures: 1 } } });
    const c = registry.get('flaky');
    const url = await serve(registry, { historySeconds: 60 });
    clock.advance(30_000);
    c.tryAcquire()!.record('failure', 1); // opens at 30 s …
    clock.advance(10_000);
    c.reset(); // … closes at 40 s, and nobody looked
    clock.advance(20_000);
    let spark = await sparkOf(url);
    expect(spark).toContain('over the last 60 s');
    // 120 px for 60 s: closed 0-30 s, open 30-40 s, closed 40-60 s.
    expect(spark).toContain(
      '<rect class="f-closed" x="0" y="20" width="60" height="6"/>' +
        '<rect class="f-open" x="60" y="20" width="20" height="6"/>' +
        '<rect class="f-closed" x="80" y="20" width="40" height="6"/>',
    );

    // The page's script continues the sparkline from this seed (ms relative to now).
    expect(seedOf(spark)).toEqual({
      spanMs: 60_000,
      spans: [
        ['closed', -60_000, -30_000],
        ['open', -30_000, -20_000],
        ['closed', -20_000, 0],
      ],
      rates: [[0, 0]],
    });

    c.tryAcquire()!.record('failure', 1); // a brief opening still gets a pixel
    c.reset();
    spark = await sparkOf(url);
    expect(spark).toContain('<rect class="f-open" x="119" y="20" width="1" height="6"/>');
    clock.advance(61_000);
    spark = await sparkOf(url);
    expect(spark).not.toContain('f-open'); // older than the span
  });

  it('samples the failure rate at most once a second, from page and JSON requests alike', async () => {
    const clock = new ManualClock(5_000);
    const registry = new CircuitRegistry({
      clock,
      defaults: { trip: { failureRate: 1, minimumCalls: 100, windowCalls: 100 } },
    });
    const c = registry.get('half-bad');
    c.tryAcquire()!.record('failure', 1);
    c.tryAcquire()!.record('success', 1);
    const url = await serve(registry, { historySeconds: 60 });
    await sparkOf(url);
    await sparkOf(url); // same instant: no new sample
    clock.advance(500);
    await sparkOf(url); // too soon: no new sample
    clock.advance(500);
    await (await fetch(`${url}?format=json`)).text(); // the page's own refreshes sample too
    clock.advance(1_000);
    // Samples at 5, 6 and 7 s of a span ending at 7 s; rate 0.5 is half way up the 2-18 px band.
    expect(await sparkOf(url)).toContain('<polyline class="rate" points="116,10 118,10 120,10"/>');
    clock.advance(60_500); // all three fall out of the span; one new sample, drawn as a tick
    expect(await sparkOf(url)).toContain('<polyline class="rate" points="118,10 120,10"/>');
  });

  it('lists at most maxRows circuits and counts the rest', async () => {
    const registry = new CircuitRegistry();
    for (let i = 0; i < 5; i++) registry.get(`c${i}`);
    registry.get('c3').forceOpen();
    const url = await serve(registry, { maxRows: 2 });
    const html = await (await fetch(url)).text();
    expect(tbodyOf(html).match(/<tr data-circuit=/g)).toHaveLength(2);
    expect(html).toContain('<tr data-circuit="c3" data-state="forced-open">');
    expect(html).toContain('3 more circuits not shown');
    expect(html).toContain('on reset()');
  });

  it('shows an empty registry', async () => {
    const html = await (await fetch(await serve(new CircuitRegistry()))).text();
    expect(html).toContain('0 circuits');
    expect(html).toContain('No circuits yet');
  });

  it('throws ConfigError for invalid options', () => {
    const registry = new CircuitRegistry();
    expect(() => createStatusHandler(registry, { maxRows: 0 })).toThrow(ConfigError);
    expect(() => createStatusHandler(registry, { historySeconds: 1.5 })).toThrow(
      'historySeconds must be an integer in [1, 86400]; got 1.5',
    );
    expect(() => createStatusHandler(registry, { title: 3 as never })).toThrow(
      'title must be a string; got 3',
    );
  });
});

describe('createStatusHandler with controlUrl', () => {
  it('includes the operator panel and allows its script by hash only when asked', async () => {
    const registry = new CircuitRegistry();
    const plain = await fetch(await serve(registry));
    expect(await plain.text()).not.toContain('id="control"');
    const withPanel = await fetch(await serve(registry, { controlUrl: '/ops/control' }));
    const html = await withPanel.text();
    expect(html).toContain('data-control-url="/ops/control"');
    const csp = withPanel.headers.get('content-security-policy')!;
    expect(csp.match(/'sha256-/g)).toHaveLength(3); // page script, panel script, style
    expect(plain.headers.get('content-security-policy')!.match(/'sha256-/g)).toHaveLength(2);
  });

  it('accepts only a path on the same origin as controlUrl', () => {
    const registry = new CircuitRegistry();
    for (const bad of [
      'https://evil.example/c',
      '//evil.example/c',
      '/\\evil.example',
      'control',
      5,
    ])
      expect(() => createStatusHandler(registry, { controlUrl: bad as string })).toThrow(
        'controlUrl must be a path on the same origin',
      );
  });
});
