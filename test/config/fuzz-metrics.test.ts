/**
 * Issue #12, the observability entry points over fuzzed options: `registerPrometheusMetrics`
 * (prefix, constant labels), `registerOpenTelemetryMetrics`, `createStatusHandler` and
 * `createControlHandler`. Each call is accepted (and disposed of) or rejected with a ConfigError
 * naming the option.
 */
import { metrics } from '@opentelemetry/api';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerOpenTelemetryMetrics } from '../../src/metrics/opentelemetry.js';
import { registerPrometheusMetrics } from '../../src/metrics/prometheus.js';
import { createStatusHandler } from '../../src/metrics/status-handler.js';
import { createControlHandler } from '../../src/metrics/control-handler.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { fcRuns } from '../fc-runs.js';
import { RecordingMeter } from '../metrics/recording-meter.js';
import { acceptedOrConfigError, expectBothOutcomes } from './config-property.js';
import { hostileValue, optionsOf, pick } from './hostile-options.js';

const registry = new CircuitRegistry();
registry.get('svc');

const labels = optionsOf({
  region: pick(['eu'], [5]),
  service_name: pick(['ledger'], [null]),
  circuit: pick(['reserved']),
  __reserved: pick(['x']),
  'bad-name': pick(['x']),
});
const prometheusOptions = optionsOf({
  callDurations: pick([true, false], ['yes']),
  prefix: pick(['rpc_breaker_', 'app:', 'svc_'], ['', '1abc', 'a-b', 'é']),
  labels: fc.oneof({ weight: 1, arbitrary: labels }, { weight: 2, arbitrary: optionsOf({}) }),
});

function dispose(handle: unknown): void {
  (handle as { dispose?: () => void } | undefined)?.dispose?.();
}

describe('fuzzed metrics and status options', () => {
  it('registerPrometheusMetrics(registry, promRegistry, options): accepted (and scraped) or a ConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(prometheusOptions, async (options) => {
        const promRegistry = new Registry();
        const made = acceptedOrConfigError(() =>
          registerPrometheusMetrics(registry, promRegistry, options as never),
        );
        if (!made) return;
        // Accepted names and labels must also scrape.
        expect(await promRegistry.metrics()).toContain('circuit="svc"');
        dispose(made.value);
      }),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });

  it('registerPrometheusMetrics: a registry or promRegistry of the wrong kind is a ConfigError', () => {
    fc.assert(
      fc.property(hostileValue, fc.boolean(), (hostile, asPromRegistry) => {
        const made = acceptedOrConfigError(() =>
          asPromRegistry
            ? registerPrometheusMetrics(registry, hostile as never)
            : registerPrometheusMetrics(hostile as never, new Registry()),
        );
        // undefined promRegistry is prom-client's global registry: accepted, then undone.
        if (made) expect(asPromRegistry && hostile === undefined).toBe(true);
        dispose(made?.value);
      }),
      { numRuns: fcRuns(200) },
    );
  });

  it('registerOpenTelemetryMetrics(registry, meter, options): accepted or a ConfigError', () => {
    const meters = [new RecordingMeter(), metrics.getMeter('rpc-breaker-fuzz')];
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        fc.oneof(optionsOf({ callDurations: pick([true, false], ['no', 0]) }), hostileValue),
        fc.oneof(
          { weight: 4, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: hostileValue },
        ),
        (m, options, badMeter) => {
          const meter = badMeter === undefined ? meters[m] : badMeter;
          const made = acceptedOrConfigError(() =>
            registerOpenTelemetryMetrics(registry, meter as never, options as never),
          );
          dispose(made?.value);
        },
      ),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });

  it('createStatusHandler(registry, options): accepted or a ConfigError', () => {
    const statusOptions = optionsOf({
      title: pick(['circuits', ''], [5]),
      historySeconds: pick([1, 60, 86_400], [0, 86_401, 1.5]),
      maxRows: pick([1, 500], [0, -3]),
      controlUrl: pick(['/control', '/'], ['//evil.example', 'control', '/a b']),
    });
    fc.assert(
      fc.property(statusOptions, (options) => {
        const made = acceptedOrConfigError(() => createStatusHandler(registry, options as never));
        if (made) expect(typeof made.value).toBe('function');
        dispose(made?.value);
      }),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });

  it('createControlHandler(registry, options): accepted or a ConfigError', () => {
    const controlOptions = optionsOf({
      token: pick(['0123456789abcdef', 'x'.repeat(4_096)], ['short', 'has a space in it!!', '']),
      maxBodyBytes: pick([64, 4_096, 1_048_576], [63, 1_048_577, 100.5]),
    });
    fc.assert(
      fc.property(controlOptions, (options) => {
        const made = acceptedOrConfigError(() => createControlHandler(registry, options as never));
        if (made) expect(typeof made.value).toBe('function');
      }),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });
});

describe('counterexamples found by the fuzzing', () => {
  it('registerOpenTelemetryMetrics(registry, meter, null) is a ConfigError, not a TypeError', () => {
    for (const options of [null, 5, 'x', []]) {
      expect(() =>
        registerOpenTelemetryMetrics(registry, new RecordingMeter(), options as never),
      ).toThrow(/^options must be an object/);
    }
  });

  it('createStatusHandler(registry, null) is a ConfigError, not a TypeError', () => {
    for (const options of [null, 5, 'x', []]) {
      expect(() => createStatusHandler(registry, options as never)).toThrow(
        /^options must be an object/,
      );
    }
  });
});
