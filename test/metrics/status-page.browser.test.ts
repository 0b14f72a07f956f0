/**
 * The status page in a real headless Chromium, under its Content Security Policy.
 *
 * 1. A circuit guarding `fetch` calls to a real HTTP server trips when the server starts failing,
 *    and the open page (without a reload) turns it red through its own script, which polls
 *    `?format=json`. Leaves a screenshot in test-artifacts/status-page.png.
 * 2. With a frozen ManualClock, a page refreshed by its script reads exactly like one the server
 *    renders (JavaScript off): the script's copy of the formatting matches the server's.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { createStatusHandler } from '../../src/metrics/status-handler.js';
import { summaryText } from '../../src/metrics/status-page.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { launchChromium, skipBrowserTests } from './chromium.js';
import { listen, type RunningServer } from './http-server.js';

/** The part of the browser's `window` used here (tsconfig has no DOM lib). */
interface BrowserWindow {
  getComputedStyle(el: unknown): { backgroundColor: string };
}

const SCREENSHOT = 'test-artifacts/status-page.png';
const CIRCUIT = 'GET /inventory';
const EVIL = '<script>alert("pwned")</script>';
const EVIL_LATE = '"><img src=x onerror=alert(2)>';

/** Collects what the page complains about: errors, CSP violations, dialogs. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return problems;
}

/** Every row as its circuit name and the texts of its `data-f` cells. */
async function rowTexts(page: Page): Promise<string[][]> {
  const rows = page.locator('#circuits tbody tr');
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const row = rows.nth(i);
    out.push([
      (await row.getAttribute('data-circuit')) ?? '',
      (await row.getAttribute('data-state')) ?? '',
      ...(await row.locator('[data-f]').allTextContents()),
    ]);
  }
  return out;
}

describe.skipIf(skipBrowserTests())('status page in headless Chromium', () => {
  let browser: Browser;
  const servers: RunningServer[] = [];
  const disposers: Array<{ dispose(): void }> = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    for (const d of disposers) d.dispose();
  });

  it('turns a circuit red when a real failing server trips it, without a reload', async () => {
    let failing = false;
    // The dependency: answers while healthy, then fails every request with 503.
    const backend = await listen((req, res) => {
      res.statusCode = failing ? 503 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(failing ? '{"error":"unavailable"}' : '{"items":3}');
    });
    servers.push(backend);
    const registry = new CircuitRegistry({
      defaults: { trip: { consecutiveFailures: 3 }, openMs: 60_000 },
    });
    const handler = createStatusHandler(registry, { title: 'shop circuits', historySeconds: 10 });
    disposers.push(handler);
    const status = await listen(handler);
    servers.push(status);

    let cached = '';
    const call = (name: string, path: string) =>
      registry.get(name).execute(async () => {
        const res = await fetch(`${backend.url}${path}`);
        const body = await res.text();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return body;
      });
    const inventory = async () => {
      try {
        cached = await call(CIRCUIT, '/inventory');
        return cached;
      } catch (error) {
        if (!isCircuitOpenError(error)) throw error;
        registry.recordFallback(CIRCUIT, 'cache');
        return cached;
      }
    };
    for (let i = 0; i < 5; i++) expect(await inventory()).toBe('{"items":3}');
    registry.get(EVIL).tryAcquire()!.record('success', 1);

    const page = await browser.newPage({ viewport: { width: 1280, height: 400 } });
    const problems = watch(page);
    await page.goto(`${status.url}/circuits`);
    const row = page.locator(`tr[data-circuit="${CIRCUIT}"]`);
    expect(await row.locator('.state').textContent()).toBe('closed');
    expect(await page.locator('td.name').allTextContents()).toEqual([EVIL, CIRCUIT]);

    failing = true;
    for (let i = 0; i < 3; i++) await expect(inventory()).rejects.toThrow('HTTP 503');
    expect(await inventory()).toBe('{"items":3}'); // rejected at once, served from the cache
    expect(registry.get(CIRCUIT).state).toBe('open');
    await expect(call('GET /prices', '/prices')).rejects.toThrow('HTTP 503'); // a new circuit
    registry.get(EVIL_LATE).tryAcquire()!.record('ignore', 1); // drawn by the script, not the server

    // The page's script polls ?format=json every second and updates the rows in place.
    await page.waitForSelector(`tr[data-circuit="${CIRCUIT}"][data-state="open"]`, {
      timeout: 5_000,
    });
    await page.locator('#summary', { hasText: '4 circuits' }).waitFor({ timeout: 5_000 });
    const state = row.locator('.state');
    expect(await state.textContent()).toBe('open');
    const color = await state.evaluate(
      (el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).backgroundColor,
    );
    expect(color).toBe('rgb(207, 34, 46)');
    const [, , ...cells] = (await rowTexts(page)).find(([name]) => name === CIRCUIT)!;
    expect(cells).toEqual([
      CIRCUIT,
      'open',
      'consecutive-failures',
      '0 %',
      expect.stringMatching(/ · 37\.5 % overall$/),
      '8', // 5 answered + 3 failed
      '5 ok · 3 failed · 0 ignored',
      '1', // rejected
      '1', // fallback served
      expect.stringMatching(/^(59|60)\.\d s$/), // until half-open
      '0',
    ]);
    expect(await page.locator('#summary').textContent()).toBe('4 circuits: 1 open, 3 closed');
    expect(await page.locator('#live').textContent()).toMatch(/^live · updated /);
    expect(await row.locator('svg.spark rect.f-open').count()).toBe(1);
    // Most severe first, then by name; the late names are text, not markup.
    expect(await page.locator('td.name').allTextContents()).toEqual([
      CIRCUIT,
      EVIL_LATE,
      EVIL,
      'GET /prices',
    ]);
    expect(await page.locator('#circuits img, #circuits script').count()).toBe(0);
    expect(problems).toEqual([]);

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  it("reads the same after the script's refresh as when the server renders it", async () => {
    const clock = new ManualClock(1_000_000); // frozen: both renderings see the same instant
    const registry = new CircuitRegistry({
      clock,
      defaults: { trip: { consecutiveFailures: 2 }, openMs: 30_000 },
    });
    const handler = createStatusHandler(registry, { maxRows: 5 });
    disposers.push(handler);
    const status = await listen(handler);
    servers.push(status);
    for (const name of ['a', 'b', 'c', 'd']) registry.get(name).tryAcquire()!.record('success', 1);

    const page = await browser.newPage();
    const problems = watch(page);
    await page.goto(status.url);
    expect((await rowTexts(page)).map(([name]) => name)).toEqual(['a', 'b', 'c', 'd']);

    // While the page is open: one circuit opens, one half-opens, one is forced open, one is
    // disabled, two appear (one of them pushes 'd' off the five rows shown).
    const open = registry.get('orders');
    open.tryAcquire()!.record('failure', 1);
    open.tryAcquire()!.record('failure', 1);
    open.tryAcquire();
    registry.recordFallback('orders', 'value');
    const half = registry.get('b');
    half.tryAcquire()!.record('failure', 1);
    half.tryAcquire()!.record('failure', 1);
    clock.advance(30_000);
    half.tryAcquire(); // the probe, left in flight
    open.tryAcquire()!.record('failure', 1);
    registry.get('c').forceOpen();
    registry.get('a').disable();
    registry.get(EVIL).tryAcquire()!.record('ignore', 1);
    registry.get(EVIL).tryAcquire()!.record('failure', 1);

    const expected = summaryText(registry.snapshot());
    await page.locator('#summary', { hasText: expected }).waitFor({ timeout: 5_000 });
    const refreshed = await rowTexts(page);

    const context = await browser.newContext({ javaScriptEnabled: false });
    const rendered = await context.newPage();
    await rendered.goto(status.url);
    expect(await rendered.locator('#live').textContent()).toBe('live'); // no script ran
    expect(refreshed).toEqual(await rowTexts(rendered));
    expect(refreshed.map(([name, state]) => `${name} ${state}`)).toEqual([
      'c forced-open',
      'orders open',
      'b half-open',
      'a disabled',
      `${EVIL} closed`,
    ]);
    expect(refreshed[4]).toContain('of 0 in window · 1 in a row · 100 % overall');
    for (const id of ['#summary', '#more']) {
      expect(await page.locator(id).textContent()).toBe(await rendered.locator(id).textContent());
    }
    expect(await page.locator('#more').isVisible()).toBe(true);
    expect(await page.locator('#more').textContent()).toBe(
      '1 more circuit not shown (see ?format=json).',
    );
    expect(problems).toEqual([]);
    await context.close();
    await page.close();
  });
});
