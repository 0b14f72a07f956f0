/**
 * A registry's circuits through the OpenTelemetry metrics API (`@opentelemetry/api`, an optional
 * peer). Only types are imported from it: the caller hands in a `Meter`, so this module loads
 * without the API installed, and without an SDK the API's no-op meter makes it cost nothing.
 *
 * The figures match the Prometheus exporter, and so do the names: under OpenTelemetry's
 * Prometheus translation (`.` → `_`, unit suffixes, `_total` on counters) each instrument becomes
 * the name `registerPrometheusMetrics` uses (test/metrics/metric-names.test.ts). Observable instruments are read in one batch
 * callback over one registry snapshot when the SDK collects (no timer here; the SDK's reader
 * decides when). Rejections by reason and fallbacks by kind come from registry events (see
 * circuit-tally.ts). Call durations go to a histogram from `onCall`, with the attribute objects
 * made once per circuit and outcome so a call allocates nothing.
 *
 * Instruments (attributes: `circuit` plus the one named, and the OpenTelemetry RPC semantic-
 * convention attributes of the calls the circuit guards, as the adapter describes them:
 * `rpc.system`, `rpc.service`, `rpc.method`, and for Thrift `server.address`/`server.port`):
 * - `rpc_breaker.state` observable gauge, one-hot by `state` (1 current, 0 the other four)
 * - `rpc_breaker.calls` observable counter by `outcome`; `rpc_breaker.slow_calls`,
 *   `rpc_breaker.transitions` observable counters
 * - `rpc_breaker.rejections` by `reason`, `rpc_breaker.fallbacks` by `kind`,
 *   `rpc_breaker.control_actions` by `action` observable counters
 * - `rpc_breaker.in_flight_calls` observable up-down counter; `rpc_breaker.retry_after` (s),
 *   `rpc_breaker.window.failure_ratio` (1) and `rpc_breaker.circuits` (no attribute) observable
 *   gauges
 * - `rpc_breaker.call.duration` histogram (s) by `outcome`, with `error.type` (the gRPC status
 *   name or the Thrift failure category) when the call ended in an error
 * Once a circuit is evicted it is no longer observed; the SDK decides how long it keeps reporting
 * the last histogram points of that circuit.
 */
import type {
  Attributes,
  BatchObservableCallback,
  BatchObservableResult,
  Histogram,
  Meter,
  Observable,
} from '@opentelemetry/api';
import { ConfigError } from '../core/errors.js';
import { hasMethods, readOptions } from '../core/validate.js';
import type { CircuitState } from '../core/types.js';
import { disposableHandle, type DisposableHandle } from '../core/disposable.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import {
  CircuitTally,
  DEFAULT_DURATION_BUCKETS_S,
  CONTROL_ACTIONS,
  FALLBACK_KINDS,
  REJECT_REASONS,
} from './circuit-tally.js';
import { scrapeSnapshots } from './scrape-snapshots.js';
import { circuitAttributes } from '../registry/circuit-attributes.js';

const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open', 'forced-open', 'disabled'];

/** Options of `registerOpenTelemetryMetrics`. */
export interface OpenTelemetryMetricsOptions {
  /**
   * Record `rpc_breaker.call.duration`. It is the only per-call work: the circuits then time
   * every call (about 150 ns a call, mostly the core leaving its clock-free fast path, plus what
   * the SDK's histogram costs). Default true.
   */
  callDurations?: boolean;
}

/** Handles per meter and registry: registering the same pair twice returns the first handle. */
const registrations = new WeakMap<Meter, WeakMap<CircuitRegistry, DisposableHandle>>();

/**
 * Reports the circuits of `registry` through `meter` (see the instruments listed at the top of
 * this module). Calling it again with the same meter and registry is a no-op returning the first
 * handle. Several registries may report through one meter; give their circuits distinct names.
 *
 * @param registry the circuits to report
 * @param meter from `metrics.getMeter('rpc-breaker')` of `@opentelemetry/api`
 * @param options see `OpenTelemetryMetricsOptions` (ignored when the call is a no-op repeat)
 * @returns a handle whose `dispose()` removes the batch callback and stops recording durations
 *   (the histogram instrument itself cannot be removed through the API)
 * @throws ConfigError when `registry`, `meter` or `options` is not what it should be
 */
export function registerOpenTelemetryMetrics(
  registry: CircuitRegistry,
  meter: Meter,
  options: OpenTelemetryMetricsOptions = {},
): DisposableHandle {
  if (!hasMethods(registry, 'registry', 'snapshot', 'onCall'))
    throw new ConfigError('registry', 'must be a CircuitRegistry', registry);
  if (!hasMethods(meter, 'meter', 'createObservableGauge', 'addBatchObservableCallback'))
    throw new ConfigError(
      'meter',
      'must be an OpenTelemetry Meter (@opentelemetry/api >= 1.4)',
      meter,
    );
  const { callDurations = true } = readOptions(
    options,
    new Set(['callDurations']),
    'options',
    'ignore',
  ) as OpenTelemetryMetricsOptions;
  let perRegistry = registrations.get(meter);
  const existing = perRegistry?.get(registry);
  if (existing) return existing;
  if (typeof callDurations !== 'boolean')
    throw new ConfigError('options.callDurations', 'must be a boolean', callDurations);

  const count = (name: string, description: string, unit = '{call}') =>
    meter.createObservableCounter(name, { description, unit });
  const gauge = (name: string, description: string, unit: string) =>
    meter.createObservableGauge(name, { description, unit });
  // Units chosen so that OpenTelemetry's Prometheus translation gives the Prometheus exporter's
  // names: a `1` gauge would gain `_ratio`, and `{…}` annotations are dropped.
  const state = gauge('rpc_breaker.state', 'Circuit state, one-hot by state.', '{state}');
  const calls = count('rpc_breaker.calls', 'Calls that ran under the circuit, by outcome.');
  const slow = count('rpc_breaker.slow_calls', 'Calls at least slowCallMs long.');
  const transitions = count('rpc_breaker.transitions', 'State changes.', '{transition}');
  const rejections = count('rpc_breaker.rejections', 'Calls rejected without running, by reason.');
  const fallbacks = count('rpc_breaker.fallbacks', 'Fallback answers served, by kind.', '{answer}');
  const controls = count(
    'rpc_breaker.control_actions',
    'Operator actions on the circuit, by action.',
    '{action}',
  );
  const inFlight = meter.createObservableUpDownCounter('rpc_breaker.in_flight_calls', {
    description: 'Calls holding a permit right now.',
    unit: '{call}',
  });
  const retryAfter = gauge(
    'rpc_breaker.retry_after',
    'Time until an open circuit lets a probe through.',
    's',
  );
  const failureRatio = gauge(
    'rpc_breaker.window.failure_ratio',
    'Share of failures among the calls in the trip window.',
    '1',
  );
  const circuits = gauge('rpc_breaker.circuits', 'Circuits the registry holds.', '{circuit}');
  const tally = new CircuitTally(registry);
  const snapshots = scrapeSnapshots(registry);
  const observables: Observable[] = [
    ...[state, calls, slow, transitions, rejections, fallbacks, controls],
    ...[inFlight, retryAfter, failureRatio, circuits],
  ];
  const observe: BatchObservableCallback = (result: BatchObservableResult) => {
    result.observe(circuits, snapshots().length);
    for (const s of snapshots()) {
      const base = circuitBase(registry, s.name);
      const f = tally.get(s.name);
      for (const st of STATES)
        result.observe(state, s.state === st ? 1 : 0, { ...base, state: st });
      result.observe(calls, s.counts.successes, { ...base, outcome: 'success' });
      result.observe(calls, s.counts.failures, { ...base, outcome: 'failure' });
      result.observe(calls, s.counts.ignored, { ...base, outcome: 'ignore' });
      result.observe(slow, s.counts.slow, base);
      result.observe(transitions, s.counts.transitions, base);
      observeSplit(result, rejections, base, 'reason', REJECT_REASONS, f?.rejections);
      observeSplit(result, fallbacks, base, 'kind', FALLBACK_KINDS, f?.fallbacks);
      observeSplit(result, controls, base, 'action', CONTROL_ACTIONS, f?.controls);
      result.observe(inFlight, s.inFlight, base);
      result.observe(retryAfter, s.retryAfterMs / 1000, base);
      result.observe(failureRatio, s.window.failureRate, base);
    }
  };
  meter.addBatchObservableCallback(observe, observables);

  const durations = callDurations ? recordDurations(registry, meter) : undefined;

  const handle = disposableHandle(() => {
    if (registrations.get(meter)?.get(registry) !== handle) return;
    registrations.get(meter)?.delete(registry);
    meter.removeBatchObservableCallback(observe, observables);
    durations?.dispose();
    tally.dispose();
  });
  if (!perRegistry) {
    perRegistry = new WeakMap();
    registrations.set(meter, perRegistry);
  }
  perRegistry.set(registry, handle);
  return handle;
}

/** Feeds `rpc_breaker.call.duration` from `onCall` until disposed. */
function recordDurations(registry: CircuitRegistry, meter: Meter): { dispose(): void } {
  const duration: Histogram = meter.createHistogram('rpc_breaker.call.duration', {
    description: 'Duration of calls that ran under the circuit, by outcome.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DEFAULT_DURATION_BUCKETS_S] },
  });
  // Attribute objects per circuit, by outcome and `error.type` (a bounded set: status names,
  // failure categories): a recorded call allocates nothing once its combination has been seen.
  const attributes = new Map<string, Map<string, Attributes>>();
  const calls = registry.onCall((e) => {
    let byKind = attributes.get(e.name);
    if (!byKind) attributes.set(e.name, (byKind = new Map()));
    const kind = e.errorType === undefined ? e.outcome : `${e.outcome} ${e.errorType}`;
    let a = byKind.get(kind);
    if (!a) {
      const base = { ...circuitBase(registry, e.name), outcome: e.outcome };
      a = e.errorType === undefined ? base : { ...base, 'error.type': e.errorType };
      byKind.set(kind, a);
    }
    duration.record(e.durationMs > 0 ? e.durationMs / 1000 : 0, a);
  });
  const evictions = registry.onEvict((e) => attributes.delete(e.name));
  return {
    dispose: () => {
      calls.dispose();
      evictions.dispose();
      attributes.clear();
    },
  };
}

/** `circuit`, and the RPC semantic-convention attributes its adapter described. */
function circuitBase(registry: CircuitRegistry, circuit: string): Attributes {
  const rpc = circuitAttributes(registry, circuit);
  return rpc ? { ...rpc, circuit } : { circuit };
}

function observeSplit(
  result: BatchObservableResult,
  instrument: Observable,
  base: Attributes,
  label: string,
  values: readonly string[],
  counts: Float64Array | undefined,
): void {
  for (let i = 0; i < values.length; i++)
    result.observe(instrument, counts?.[i] ?? 0, { ...base, [label]: values[i]! });
}
