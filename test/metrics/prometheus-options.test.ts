/** `registerPrometheusMetrics` options: a metric name prefix and constant labels, validated. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import {
  PROMETHEUS_METRIC_NAMES,
  registerPrometheusMetrics,
} from '../../src/metrics/prometheus.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { parseExposition, valueOf } from './prom-text.js';

describe('registerPrometheusMetrics options', () => {
  it('puts every metric under the prefix and every series under the constant labels', async () => {
    const registry = new CircuitRegistry();
    const prom = new Registry();
    using _metrics = registerPrometheusMetrics(registry, prom, {
      prefix: 'checkout_breaker_',
      labels: { service: 'checkout', region: 'eu-1' },
    });
    registry.get('/shop.Catalog/Get').tryAcquire()!.record('failure', 3);
    const samples = parseExposition(await prom.metrics());
    const families = new Set(samples.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    expect([...families].sort()).toEqual(
      Object.values(PROMETHEUS_METRIC_NAMES)
        .map((n) => n.replace(/^rpc_breaker_/, 'checkout_breaker_'))
        .sort(),
    );
    for (const s of samples)
      expect(s.labels).toMatchObject({ service: 'checkout', region: 'eu-1' });
    const circuit = '/shop.Catalog/Get';
    expect(valueOf(samples, 'checkout_breaker_calls_total', { circuit, outcome: 'failure' })).toBe(
      1,
    );
    expect(valueOf(samples, 'checkout_breaker_circuits', { service: 'checkout' })).toBe(1);
    expect(
      valueOf(samples, 'checkout_breaker_call_duration_seconds_count', {
        circuit,
        outcome: 'failure',
      }),
    ).toBe(1);
  });

  it('lets two registries share one prom-client registry under different prefixes', async () => {
    const prom = new Registry();
    using _a = registerPrometheusMetrics(new CircuitRegistry(), prom, { prefix: 'a_' });
    expect(() => registerPrometheusMetrics(new CircuitRegistry(), prom, { prefix: 'b_' })).toThrow(
      'already exports the metrics of another CircuitRegistry',
    );
    using _b = registerPrometheusMetrics(new CircuitRegistry(), new Registry(), { prefix: 'b_' });
    expect(prom.getSingleMetric('a_state')).toBeDefined();
  });

  it.each([
    [{ prefix: '9lives_' }, 'options.prefix must be the start of a Prometheus metric name'],
    [{ prefix: 'my-app_' }, 'options.prefix must be the start of a Prometheus metric name'],
    [
      { labels: { 'bad-name': 'x' } },
      'options.labels has a key that is not a Prometheus label name',
    ],
    [{ labels: { __name__: 'x' } }, 'options.labels has a key that is not a Prometheus label name'],
    [
      { labels: { circuit: 'x' } },
      'options.labels has a key the metrics already use; got "circuit"',
    ],
    [{ labels: { team: 7 } }, 'options.labels.team must be a string; got 7'],
    [{ labels: ['x'] }, 'options.labels must be an object'],
    [{ prefx: 'a_' }, 'options.prefx is not a known option'],
  ])('rejects %j with a ConfigError naming the option', (options, message) => {
    const call = () =>
      registerPrometheusMetrics(new CircuitRegistry(), new Registry(), options as never);
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(message);
  });
});
