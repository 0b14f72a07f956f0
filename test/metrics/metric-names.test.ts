/**
 * One name per figure whichever exporter is used: each OpenTelemetry instrument, put through
 * OpenTelemetry's Prometheus translation (the "Prometheus and OpenMetrics Compatibility" part of
 * the OpenTelemetry specification, as the Collector and the SDK exporters apply it), has exactly
 * the name of the Prometheus exporter's metric for the same figure.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerOpenTelemetryMetrics } from '../../src/metrics/opentelemetry.js';
import { registerPrometheusMetrics } from '../../src/metrics/prometheus.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RecordingMeter, type Instrument } from './recording-meter.js';

const UNITS: Record<string, string> = { s: 'seconds', ms: 'milliseconds', By: 'bytes' };

/** The Prometheus name OpenTelemetry's translation gives `instrument`. */
function prometheusName(instrument: Instrument): string {
  let name = instrument.name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_');
  const unit = (instrument.options?.unit ?? '').replace(/\{[^}]*\}/g, '');
  const gauge = instrument.kind === 'observable-gauge' || instrument.kind === 'gauge';
  const suffix = unit === '1' ? (gauge ? 'ratio' : '') : (UNITS[unit] ?? unit);
  if (suffix && !name.split('_').includes(suffix)) name = `${name}_${suffix}`;
  const monotonic = instrument.kind === 'observable-counter' || instrument.kind === 'counter';
  if (monotonic && !name.endsWith('_total')) name = `${name}_total`;
  return name;
}

describe('metric names', () => {
  it('gives each figure one name under OpenTelemetry’s Prometheus translation', async () => {
    const registry = new CircuitRegistry();
    registry.get('a');
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(registry, meter);
    const prom = new Registry();
    registerPrometheusMetrics(registry, prom);

    const fromOtel = meter.instruments.map(prometheusName).sort();
    const fromProm = (await prom.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(fromOtel).toEqual(fromProm);
    expect(fromProm).toContain('rpc_breaker_state');
    expect(fromProm).toContain('rpc_breaker_in_flight_calls');
    expect(fromProm).toContain('rpc_breaker_circuits');
  });
});
