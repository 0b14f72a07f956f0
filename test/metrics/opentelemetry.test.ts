/**
 * No OpenTelemetry SDK is installed, so these tests hand the exporter a small Meter written here
 * against the `@opentelemetry/api` interfaces: it records the instruments created and runs the
 * batch callbacks when the test "collects", as an SDK reader would. One test also uses the real
 * API's global meter (a no-op without an SDK).
 */
import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { registerOpenTelemetryMetrics } from '../../src/metrics/opentelemetry.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RecordingMeter, type Point } from './recording-meter.js';

function pick(points: Point[], name: string, attributes: Attributes): number[] {
  return points
    .filter(
      (p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
    )
    .map((p) => p.value);
}

describe('registerOpenTelemetryMetrics', () => {
  it('creates the instruments with units and the histogram bucket advice', () => {
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(new CircuitRegistry(), meter);
    const byName = Object.fromEntries(meter.instruments.map((i) => [i.name, i]));
    expect(Object.keys(byName).sort()).toEqual([
      'rpc_breaker.call.duration',
      'rpc_breaker.calls',
      'rpc_breaker.circuits',
      'rpc_breaker.control_actions',
      'rpc_breaker.fallbacks',
      'rpc_breaker.in_flight_calls',
      'rpc_breaker.rejections',
      'rpc_breaker.retry_after',
      'rpc_breaker.slow_calls',
      'rpc_breaker.state',
      'rpc_breaker.transitions',
      'rpc_breaker.window.failure_ratio',
    ]);
    expect(byName['rpc_breaker.calls']!.kind).toBe('observable-counter');
    expect(byName['rpc_breaker.in_flight_calls']!.kind).toBe('observable-updown');
    expect(byName['rpc_breaker.state']!.kind).toBe('observable-gauge');
    const duration = byName['rpc_breaker.call.duration']!;
    expect(duration.kind).toBe('histogram');
    expect(duration.options?.unit).toBe('s');
    expect(duration.options?.advice?.explicitBucketBoundaries?.[0]).toBe(0.001);
    expect(meter.callbacks.size).toBe(1);
  });

  it('observes snapshot figures and event counts when collected', async () => {
    const clock = new ManualClock();
    const registry = new CircuitRegistry({
      clock,
      defaults: { trip: { consecutiveFailures: 2 }, openMs: 5_000 },
    });
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(registry, meter);
    const c = registry.get('orders');
    c.tryAcquire()!.record('success', 10);
    c.tryAcquire()!.record('failure', 10);
    c.tryAcquire()!.record('failure', 10);
    expect(c.tryAcquire()).toBeUndefined();
    registry.recordFallback('orders', 'cache');
    clock.advance(1_000);

    const points = await meter.collect();
    const circuit = 'orders';
    expect(pick(points, 'rpc_breaker.state', { circuit, state: 'open' })).toEqual([1]);
    expect(pick(points, 'rpc_breaker.state', { circuit, state: 'closed' })).toEqual([0]);
    expect(pick(points, 'rpc_breaker.state', { circuit })).toHaveLength(5);
    expect(pick(points, 'rpc_breaker.calls', { circuit, outcome: 'failure' })).toEqual([2]);
    expect(pick(points, 'rpc_breaker.calls', { circuit, outcome: 'success' })).toEqual([1]);
    expect(pick(points, 'rpc_breaker.rejections', { circuit, reason: 'open' })).toEqual([1]);
    expect(pick(points, 'rpc_breaker.rejections', { circuit, reason: 'bulkhead' })).toEqual([0]);
    expect(pick(points, 'rpc_breaker.fallbacks', { circuit, kind: 'cache' })).toEqual([1]);
    expect(pick(points, 'rpc_breaker.transitions', { circuit })).toEqual([1]);
    expect(pick(points, 'rpc_breaker.retry_after', { circuit })).toEqual([4]);
    expect(pick(points, 'rpc_breaker.in_flight_calls', { circuit })).toEqual([0]);
    expect(pick(points, 'rpc_breaker.circuits', {})).toEqual([1]);
  });

  it('records call durations in seconds, reusing one attribute object per circuit and outcome', () => {
    const registry = new CircuitRegistry();
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(registry, meter);
    const c = registry.get('users');
    c.tryAcquire()!.record('success', 250);
    c.tryAcquire()!.record('success', 20);
    c.tryAcquire()!.record('ignore', 5);
    expect(meter.records.map((r) => [r.name, r.value, r.attributes])).toEqual([
      ['rpc_breaker.call.duration', 0.25, { circuit: 'users', outcome: 'success' }],
      ['rpc_breaker.call.duration', 0.02, { circuit: 'users', outcome: 'success' }],
      ['rpc_breaker.call.duration', 0.005, { circuit: 'users', outcome: 'ignore' }],
    ]);
    expect(meter.records[0]!.attributes).toBe(meter.records[1]!.attributes);
  });

  it('stops observing an evicted circuit', async () => {
    const registry = new CircuitRegistry({ maxCircuits: 5 });
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(registry, meter);
    registry.get('first').tryAcquire()!.record('success', 1);
    expect(pick(await meter.collect(), 'rpc_breaker.calls', { circuit: 'first' })).toHaveLength(3);
    for (let i = 0; i < 5; i++) registry.get(`c${i}`);
    expect(registry.find('first')).toBeUndefined();
    const points = await meter.collect();
    expect(points.filter((p) => p.attributes.circuit === 'first')).toEqual([]);
    expect(pick(points, 'rpc_breaker.calls', { outcome: 'success' })).toHaveLength(registry.size);
  });

  it('returns the same handle for the same pair, and stops reporting once disposed', async () => {
    const registry = new CircuitRegistry();
    const meter = new RecordingMeter();
    const handle = registerOpenTelemetryMetrics(registry, meter);
    expect(registerOpenTelemetryMetrics(registry, meter)).toBe(handle);
    expect(meter.callbacks.size).toBe(1);
    handle.dispose();
    expect(meter.callbacks.size).toBe(0);
    registry.get('a').tryAcquire()!.record('success', 1);
    expect(meter.records).toEqual([]);
    expect(registerOpenTelemetryMetrics(registry, meter)).not.toBe(handle);
  });

  it('creates no duration histogram with callDurations: false', async () => {
    const registry = new CircuitRegistry();
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(registry, meter, { callDurations: false });
    registry.get('a').tryAcquire()!.record('success', 7);
    expect(meter.instruments.some((i) => i.name === 'rpc_breaker.call.duration')).toBe(false);
    expect(meter.records).toEqual([]);
    expect(pick(await meter.collect(), 'rpc_breaker.calls', { outcome: 'success' })).toEqual([1]);
    expect(() =>
      registerOpenTelemetryMetrics(registry, new RecordingMeter(), { callDurations: 1 as never }),
    ).toThrow('options.callDurations must be a boolean; got 1');
  });

  it("works with the API's own global meter, a no-op without an SDK", () => {
    const registry = new CircuitRegistry();
    const handle = registerOpenTelemetryMetrics(registry, metrics.getMeter('rpc-breaker-test'));
    registry.get('a').tryAcquire()!.record('success', 1);
    handle.dispose();
  });

  it('throws ConfigError for something that is not a Meter', () => {
    expect(() => registerOpenTelemetryMetrics(new CircuitRegistry(), {} as Meter)).toThrow(
      'meter must be an OpenTelemetry Meter (@opentelemetry/api >= 1.4); got {}',
    );
  });
});
