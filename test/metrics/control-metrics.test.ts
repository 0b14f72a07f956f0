/** Operator actions (registry.control, the control handler) show in Prometheus and OpenTelemetry. */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerPrometheusMetrics } from '../../src/metrics/prometheus.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { parseExposition, valueOf } from './prom-text.js';

const disposers: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d.dispose();
});

describe('control action metrics', () => {
  it('counts rpc_breaker_control_actions_total by circuit and action', async () => {
    const registry = new CircuitRegistry();
    const prom = new Registry();
    disposers.push(registerPrometheusMetrics(registry, prom));
    registry.get('pay');
    registry.control('pay', 'force-open');
    registry.control('pay', 'reset');
    registry.control('pay', 'force-open');
    registry.control('nobody', 'disable'); // no such circuit: nothing happens, nothing counted
    const samples = parseExposition(await prom.metrics());
    const count = (action: string) =>
      valueOf(samples, 'rpc_breaker_control_actions_total', { circuit: 'pay', action });
    expect([count('force-open'), count('disable'), count('reset')]).toEqual([2, 0, 1]);
    expect(
      samples.filter(
        (s) => s.name === 'rpc_breaker_control_actions_total' && s.labels.circuit === 'nobody',
      ),
    ).toEqual([]);
  });
});
