/**
 * The status page in a real headless Chromium: a circuit guarding calls to a real HTTP server
 * trips when the server starts failing, and the open page (without a reload) turns it red through
 * its own refresh script, under its Content Security Policy. Leaves a screenshot in
 * test-artifacts/status-page.png.
 */
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { createStatusHandler } from '../../src/metrics/status-handler.js';
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

/** One GET; rejects on a network error or a non-2xx status. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skipBrowserTests())('status page in headless Chromium', () => {
  let browser: Browser;
  let backend: RunningServer;
  let status: RunningServer;
  let failing = false;
  const registry = new CircuitRegistry({
    defaults: { trip: { consecutiveFailures: 3 }, openMs: 60_000 },
  });
  const handler = createStatusHandler(registry, { title: 'shop circuits', historySeconds: 5 });

  beforeAll(async () => {
    // The dependency: answers while healthy, then drops every connection.
    backend = await listen((req, res) => {
      if (failing) return req.socket.destroy();
      res.setHeader('content-type', 'application/json');
      res.end('{"items":3}');
    });
    status = await listen(handler);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await status?.close();
    await backend?.close();
    handler.dispose();
  });

  it('turns a circuit red when a real failing server trips it, without a reload', async () => {
    let cached = '';
    const inventory = async () => {
      try {
        cached = await registry.get(CIRCUIT).execute(() => get(`${backend.url}/inventory`));
        return cached;
      } catch (error) {
        if (!isCircuitOpenError(error)) throw error;
        registry.recordFallback(CIRCUIT, 'cache');
        return cached;
      }
    };
    for (let i = 0; i < 5; i++) expect(await inventory()).toBe('{"items":3}');
    await registry.get('GET /prices').execute(() => get(`${backend.url}/prices`));
    registry.get(EVIL).tryAcquire()!.record('success', 1);

    const page = await browser.newPage({ viewport: { width: 1280, height: 520 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${status.url}/circuits`);
    const row = page.locator(`tr[data-circuit="${CIRCUIT}"]`);
    expect(await row.locator('.state').textContent()).toBe('closed');
    expect(await page.locator('td.name').allTextContents()).toContain(EVIL);

    failing = true;
    for (let i = 0; i < 3; i++) await expect(inventory()).rejects.toThrow();
    expect(await inventory()).toBe('{"items":3}'); // rejected at once, served from the cache
    expect(registry.get(CIRCUIT).state).toBe('open');

    // The page's own script fetches it again every second and swaps in the new rows.
    await page.waitForSelector(`tr[data-circuit="${CIRCUIT}"][data-state="open"]`, {
      timeout: 5_000,
    });
    expect(await row.locator('.state').textContent()).toBe('open');
    const color = await row
      .locator('.state')
      .evaluate(
        (el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).backgroundColor,
      );
    expect(color).toBe('rgb(207, 34, 46)');
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toBe('openconsecutive-failures');
    expect(cells[4]).toMatch(/^8/); // 5 answered + 3 failed
    expect(cells[6]).toBe('1'); // fallback served
    expect(cells[7]).toMatch(/^(59|60)\.\d s$/); // until half-open
    expect(await page.locator('#summary').textContent()).toBe('3 circuits: 1 open, 2 closed');
    expect(await page.locator('#live').textContent()).toMatch(/^live · updated /);
    expect(await row.locator('svg.spark rect.f-open').count()).toBeGreaterThan(0);
    expect(await page.locator('td.name').allTextContents()).toContain(EVIL);
    expect(problems).toEqual([]);

    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });
});
