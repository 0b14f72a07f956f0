/**
 * The status page's operator panel in a real headless Chromium, under the page's CSP: shown only
 * when the status handler has a `controlUrl`; a click on a row picks the circuit; the token typed
 * into the panel force-opens and resets it through the control handler; a wrong token is refused
 * and changes nothing. Leaves a screenshot in test-artifacts/control-panel.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlHandler } from '../../src/metrics/control-handler.js';
import { createStatusHandler } from '../../src/metrics/status-handler.js';
import { CircuitRegistry, type ControlEvent } from '../../src/registry/circuit-registry.js';
import { launchChromium, skipBrowserTests } from './chromium.js';
import { listen, type RunningServer } from './http-server.js';

const TOKEN = 'browser-test-token-5f2c9a1e';
const CIRCUIT = '/shop.Inventory/Get';

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    // The refused request itself is logged by Chromium as a failed resource load (401).
    if (m.type() === 'error' && !m.text().includes('401')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

describe.skipIf(skipBrowserTests())('status page operator panel in headless Chromium', () => {
  let browser: Browser;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  async function start(withControl: boolean) {
    const registry = new CircuitRegistry();
    registry.get(CIRCUIT).tryAcquire()?.record('success');
    registry.get('/shop.Prices/List').tryAcquire()?.record('success');
    const status = createStatusHandler(
      registry,
      withControl ? { controlUrl: '/control' } : undefined,
    );
    const control = createControlHandler(registry, { token: TOKEN });
    const server = await listen((req, res) =>
      req.url === '/control' ? control(req, res) : status(req, res),
    );
    servers.push(server);
    return { registry, url: server.url, dispose: () => status.dispose() };
  }

  it('offers no controls unless the status handler is given a controlUrl', async () => {
    const { url, dispose } = await start(false);
    const page = await browser.newPage();
    await page.goto(url);
    expect(await page.locator('#control').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    await page.close();
    dispose();
  });

  it('force-opens and resets a circuit with the token, and refuses a wrong one', async () => {
    const { registry, url, dispose } = await start(true);
    const events: ControlEvent[] = [];
    registry.onControl((e) => events.push(e));
    const page = await browser.newPage({ viewport: { width: 1280, height: 420 } });
    const problems = watch(page);
    await page.goto(url);

    await page.locator(`tr[data-circuit="${CIRCUIT}"] td.name`).click();
    expect(await page.locator('#ctl-circuit').inputValue()).toBe(CIRCUIT);

    await page.locator('#ctl-action').selectOption('force-open');
    await page.locator('#ctl-token').fill('not-the-token-at-all');
    await page.locator('#control button[type=submit]').click();
    await page.locator('#ctl-result.err').waitFor({ timeout: 5_000 });
    expect(await page.locator('#ctl-result').textContent()).toContain('refused');
    expect(registry.get(CIRCUIT).state).toBe('closed');

    await page.locator('#ctl-token').fill(TOKEN);
    await page.locator('#control button[type=submit]').click();
    await page.locator('#ctl-result.ok').waitFor({ timeout: 5_000 });
    expect(await page.locator('#ctl-result').textContent()).toBe(`${CIRCUIT} is now forced-open`);
    expect(registry.get(CIRCUIT).state).toBe('forced-open');
    // The page's own refresh shows the new state without a reload.
    await page.waitForSelector(`tr[data-circuit="${CIRCUIT}"][data-state="forced-open"]`, {
      timeout: 5_000,
    });
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/control-panel.png', fullPage: true });

    await page.locator('#ctl-action').selectOption('reset');
    await page.locator('#control button[type=submit]').click();
    await page.locator('#ctl-result', { hasText: 'is now closed' }).waitFor({ timeout: 5_000 });
    expect(registry.get(CIRCUIT).state).toBe('closed');
    expect(events.map((e) => e.action)).toEqual(['force-open', 'reset']);

    // The token is never kept by the page: nothing in storage, no cookie.
    const kept = await page.evaluate(() => {
      const g = globalThis as unknown as {
        localStorage: { length: number };
        sessionStorage: { length: number };
        document: { cookie: string };
      };
      return [g.localStorage.length, g.sessionStorage.length, g.document.cookie];
    });
    expect(kept).toEqual([0, 0, '']);
    expect(problems).toEqual([]);
    await page.close();
    dispose();
  });
});
