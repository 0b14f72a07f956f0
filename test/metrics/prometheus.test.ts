import {
  Gauge,
  Registry,
  register as globalRegistry,
  type OpenMetricsContentType,
} from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import {
  PROMETHEUS_METRIC_NAMES,
  registerPrometheusMetrics,
} from '../../src/metrics/prometheus.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { parseExposition, valueOf, type Sample } from './prom-text.js';

const disposers: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d.dispose();
});

function setup(options: ConstructorParameters<typeof CircuitRegistry>[0] = {}) {
  const clock = new ManualClock();
  const registry = new CircuitRegistry({ clock, ...options });
  const prom = new Registry();
  disposers.push(registerPrometheusMetrics(registry, prom));
  const scrape = async () => parseExposition(await prom.metrics());
  return { clock, registry, prom, scrape };
}

function stateOf(samples: Sample[], circuit: string): string[] {
  return samples
    .filter((s) => s.name === 'rpc_breaker_state' && s.labels.circuit === circuit && s.value === 1)
    .map((s) => s.labels.state!);
}

describe('registerPrometheusMetrics', () => {
  it('follows a circuit through closed, open, half-open and closed again', async () => {
    const { clock, registry, scrape } = setup({
      defaults: { trip: { consecutiveFailures: 2 }, openMs: 1_000 },
    });
    const c = registry.get('/shop.Inventory/Get');
    c.tryAcquire()!.record('success', 4);
    c.tryAcquire()!.record('failure', 20);
    c.tryAcquire()!.record('failure', 2_000);
    expect(c.tryAcquire()).toBeUndefined();
    expect(c.tryAcquire()).toBeUndefined();

    let m = await scrape();
    const circuit = '/shop.Inventory/Get';
    expect(stateOf(m, circuit)).toEqual(['open']);
    expect(m.filter((s) => s.name === 'rpc_breaker_state')).toHaveLength(5);
    expect(valueOf(m, 'rpc_breaker_calls_total', { circuit, outcome: 'success' })).toBe(1);
    expect(valueOf(m, 'rpc_breaker_calls_total', { circuit, outcome: 'failure' })).toBe(2);
    expect(valueOf(m, 'rpc_breaker_calls_total', { circuit, outcome: 'ignore' })).toBe(0);
    expect(valueOf(m, 'rpc_breaker_rejections_total', { circuit, reason: 'open' })).toBe(2);
    expect(valueOf(m, 'rpc_breaker_rejections_total', { circuit, reason: 'bulkhead' })).toBe(0);
    expect(valueOf(m, 'rpc_breaker_transitions_total', { circuit })).toBe(1);
    expect(valueOf(m, 'rpc_breaker_retry_after_seconds', { circuit })).toBe(1);
    expect(valueOf(m, 'rpc_breaker_circuits')).toBe(1);
    const bucket = (outcome: string, le: string) =>
      valueOf(m, 'rpc_breaker_call_duration_seconds_bucket', { circuit, outcome, le });
    expect(bucket('success', '0.0025')).toBe(0);
    expect(bucket('success', '0.005')).toBe(1);
    expect(bucket('failure', '0.01')).toBe(0);
    expect(bucket('failure', '0.025')).toBe(1);
    expect(bucket('failure', '1')).toBe(1);
    expect(bucket('failure', '2.5')).toBe(2);
    expect(bucket('failure', '+Inf')).toBe(2);
    expect(
      valueOf(m, 'rpc_breaker_call_duration_seconds_sum', { circuit, outcome: 'failure' }),
    ).toBeCloseTo(2.02);
    expect(
      valueOf(m, 'rpc_breaker_call_duration_seconds_count', { circuit, outcome: 'failure' }),
    ).toBe(2);
    // No call ended as ignored, so there is no histogram series for it.
    expect(m.some((s) => s.labels.outcome === 'ignore' && s.name.includes('duration'))).toBe(false);

    clock.advance(1_000);
    const probe = c.tryAcquire()!;
    expect(c.tryAcquire()).toBeUndefined();
    m = await scrape();
    expect(stateOf(m, circuit)).toEqual(['half-open']);
    expect(valueOf(m, 'rpc_breaker_in_flight_calls', { circuit })).toBe(1);
    expect(valueOf(m, 'rpc_breaker_retry_after_seconds', { circuit })).toBe(0);
    expect(valueOf(m, 'rpc_breaker_rejections_total', { circuit, reason: 'half-open-full' })).toBe(
      1,
    );

    probe.record('success', 3);
    m = await scrape();
    expect(stateOf(m, circuit)).toEqual(['closed']);
    expect(valueOf(m, 'rpc_breaker_transitions_total', { circuit })).toBe(3);
    expect(valueOf(m, 'rpc_breaker_in_flight_calls', { circuit })).toBe(0);
    expect(valueOf(m, 'rpc_breaker_calls_total', { circuit, outcome: 'success' })).toBe(2);
  });

  it('counts bulkhead and forced-open rejections, slow and ignored calls, and the failure ratio', async () => {
    const { registry, scrape } = setup({
      defaults: {
        trip: { failureRate: 0.9, minimumCalls: 10, windowCalls: 10 },
        slowCallMs: 100,
        maxConcurrent: 1,
      },
    });
    const c = registry.get('billing');
    const held = c.tryAcquire()!;
    expect(c.tryAcquire()).toBeUndefined();
    held.record('success', 150);
    c.tryAcquire()!.record('failure', 1);
    c.tryAcquire()!.record('ignore', 1);
    let m = await scrape();
    expect(
      valueOf(m, 'rpc_breaker_rejections_total', { circuit: 'billing', reason: 'bulkhead' }),
    ).toBe(1);
    expect(valueOf(m, 'rpc_breaker_slow_calls_total', { circuit: 'billing' })).toBe(1);
    expect(valueOf(m, 'rpc_breaker_calls_total', { circuit: 'billing', outcome: 'ignore' })).toBe(
      1,
    );
    expect(valueOf(m, 'rpc_breaker_window_failure_ratio', { circuit: 'billing' })).toBe(0.5);

    c.forceOpen();
    expect(c.tryAcquire()).toBeUndefined();
    m = await scrape();
    expect(stateOf(m, 'billing')).toEqual(['forced-open']);
    expect(
      valueOf(m, 'rpc_breaker_rejections_total', { circuit: 'billing', reason: 'forced-open' }),
    ).toBe(1);
    c.disable();
    expect(stateOf(await scrape(), 'billing')).toEqual(['disabled']);
  });

  it('counts fallbacks by kind', async () => {
    const { registry, scrape } = setup();
    registry.get('catalog');
    registry.recordFallback('catalog', 'cache', '/shop.Catalog/List');
    registry.recordFallback('catalog', 'cache');
    registry.recordFallback('catalog', 'value');
    const m = await scrape();
    expect(valueOf(m, 'rpc_breaker_fallbacks_total', { circuit: 'catalog', kind: 'cache' })).toBe(
      2,
    );
    expect(valueOf(m, 'rpc_breaker_fallbacks_total', { circuit: 'catalog', kind: 'value' })).toBe(
      1,
    );
    // A fallback for a circuit the registry does not hold is not counted, as in the snapshot.
    registry.recordFallback('ghost', 'value');
    registry.get('ghost');
    const after = await scrape();
    expect(valueOf(after, 'rpc_breaker_fallbacks_total', { circuit: 'ghost', kind: 'value' })).toBe(
      0,
    );
    expect(registry.find('ghost')!.snapshot().counts.fallbacks).toBe(0);
  });

  it('times calls run through execute() with the registry clock', async () => {
    const { clock, registry, scrape } = setup();
    const c = registry.get('search');
    await c.execute(async () => {
      clock.advance(30);
      return 'ok';
    });
    await expect(
      c.execute(async () => {
        clock.advance(700);
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    const m = await scrape();
    const bucket = (outcome: string, le: string) =>
      valueOf(m, 'rpc_breaker_call_duration_seconds_bucket', { circuit: 'search', outcome, le });
    expect([bucket('success', '0.025'), bucket('success', '0.05')]).toEqual([0, 1]);
    expect([bucket('failure', '0.5'), bucket('failure', '1')]).toEqual([0, 1]);
  });

  it("removes an evicted circuit's series, histogram and event counts included", async () => {
    const { registry, scrape } = setup({ maxCircuits: 10 });
    const old = registry.get('old', { maxConcurrent: 1 });
    const p = old.tryAcquire()!;
    expect(old.tryAcquire()).toBeUndefined();
    p.record('success', 5);
    registry.recordFallback('old', 'value');
    let m = await scrape();
    expect(m.filter((s) => s.labels.circuit === 'old').length).toBeGreaterThan(20);

    for (let i = 0; i < 10; i++) registry.get(`new-${i}`);
    expect(registry.find('old')).toBeUndefined();
    m = await scrape();
    expect(m.filter((s) => s.labels.circuit === 'old')).toEqual([]);
    expect(valueOf(m, 'rpc_breaker_circuits')).toBe(registry.size);

    registry.get('old');
    m = await scrape();
    expect(valueOf(m, 'rpc_breaker_rejections_total', { circuit: 'old', reason: 'bulkhead' })).toBe(
      0,
    );
    expect(valueOf(m, 'rpc_breaker_fallbacks_total', { circuit: 'old', kind: 'value' })).toBe(0);
    expect(m.some((s) => s.labels.circuit === 'old' && s.name.includes('duration'))).toBe(false);
  });

  it('leaves the duration histogram out with callDurations: false', async () => {
    const registry = new CircuitRegistry();
    const prom = new Registry();
    disposers.push(registerPrometheusMetrics(registry, prom, { callDurations: false }));
    const c = registry.get('fast');
    await c.execute(async () => 1);
    const m = parseExposition(await prom.metrics());
    expect(valueOf(m, 'rpc_breaker_calls_total', { circuit: 'fast', outcome: 'success' })).toBe(1);
    expect(m.some((s) => s.name.startsWith('rpc_breaker_call_duration'))).toBe(false);
    expect(prom.getSingleMetric('rpc_breaker_call_duration_seconds')).toBeUndefined();
    expect(() =>
      registerPrometheusMetrics(new CircuitRegistry(), new Registry(), {
        callDurations: 'no' as never,
      }),
    ).toThrow('options.callDurations must be a boolean; got "no"');
  });

  it('takes one registry snapshot per scrape', async () => {
    const { registry, prom } = setup();
    registry.get('a');
    const spy = vi.spyOn(registry, 'snapshot');
    await prom.metrics();
    expect(spy).toHaveBeenCalledTimes(1);
    await prom.getMetricsAsJSON();
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('renders on an OpenMetrics registry too', async () => {
    const registry = new CircuitRegistry();
    const prom = new Registry<OpenMetricsContentType>();
    prom.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    disposers.push(registerPrometheusMetrics(registry, prom));
    registry.get('x').tryAcquire()!.record('success', 1);
    const text = await prom.metrics();
    expect(text).toContain('rpc_breaker_calls_total{circuit="x",outcome="success"} 1');
    expect(text).toContain(
      'rpc_breaker_call_duration_seconds_count{circuit="x",outcome="success"} 1',
    );
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('is a no-op when called again with the same registries, and explains every conflict', async () => {
    const { registry, prom, scrape } = setup();
    const first = disposers[0]!;
    expect(registerPrometheusMetrics(registry, prom)).toBe(first);
    registry.get('a').tryAcquire()!.record('success', 1);
    const m = await scrape();
    expect(valueOf(m, 'rpc_breaker_calls_total', { circuit: 'a', outcome: 'success' })).toBe(1);
    expect(valueOf(m, 'rpc_breaker_call_duration_seconds_count', { circuit: 'a' })).toBe(1);

    const other = new CircuitRegistry();
    expect(() => registerPrometheusMetrics(other, prom)).toThrow(ConfigError);
    expect(() => registerPrometheusMetrics(other, prom)).toThrow(
      /^promRegistry already exports the metrics of another CircuitRegistry/,
    );

    first.dispose();
    expect(await prom.metrics()).not.toContain('rpc_breaker');
    disposers.push(registerPrometheusMetrics(other, prom));
    expect(await prom.metrics()).toContain('rpc_breaker_circuits 0');

    const foreign = new Registry();
    new Gauge({ name: 'rpc_breaker_state', help: 'mine', registers: [foreign] });
    expect(() => registerPrometheusMetrics(registry, foreign)).toThrow(
      'promRegistry already holds a metric of this name that rpc-breaker did not register; got "rpc_breaker_state"',
    );
    expect(foreign.getSingleMetric('rpc_breaker_calls_total')).toBeUndefined();
    expect(() => registerPrometheusMetrics(registry, {} as Registry)).toThrow(
      'promRegistry must be a prom-client Registry',
    );
  });

  it("uses prom-client's global registry by default and stops counting once disposed", async () => {
    const registry = new CircuitRegistry();
    const handle = registerPrometheusMetrics(registry);
    try {
      registry.get('global').tryAcquire()!.record('failure', 1);
      const m = parseExposition(await globalRegistry.metrics());
      expect(valueOf(m, 'rpc_breaker_calls_total', { circuit: 'global', outcome: 'failure' })).toBe(
        1,
      );
    } finally {
      handle.dispose();
    }
    for (const name of Object.values(PROMETHEUS_METRIC_NAMES))
      expect(globalRegistry.getSingleMetric(name)).toBeUndefined();
    handle.dispose(); // a second dispose does nothing
  });
});
