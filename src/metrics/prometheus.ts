/**
 * `rpc-breaker/prometheus`: a registry's circuits as Prometheus metrics through prom-client.
 *
 * Everything a snapshot holds (state, calls by outcome, slow calls, transitions, in-flight calls,
 * time until half-open, window failure rate) is computed when Prometheus scrapes, in prom-client
 * `collect()` callbacks over one registry snapshot; nothing runs between scrapes and no timer is
 * started. Rejections by reason and fallbacks by kind, which snapshots hold only as totals, and
 * call durations are counted from registry events into plain arrays (see circuit-tally.ts). A
 * circuit the registry evicts disappears from the next scrape.
 *
 * Metrics (labels are bounded: the circuit name plus one small fixed set per metric):
 * - `rpc_breaker_state{circuit,state}` gauge, one-hot: 1 for the current state, 0 for the other
 *   four (`closed`, `open`, `half-open`, `forced-open`, `disabled`); e.g. alert on
 *   `rpc_breaker_state{state="open"} == 1`
 * - `rpc_breaker_calls_total{circuit,outcome}` counter: `success`, `failure`, `ignore`
 * - `rpc_breaker_slow_calls_total{circuit}` counter
 * - `rpc_breaker_rejections_total{circuit,reason}` counter: `open`, `forced-open`,
 *   `half-open-full`, `bulkhead` (counted from registration on)
 * - `rpc_breaker_fallbacks_total{circuit,kind}` counter: `cache`, `value` (from registration on)
 * - `rpc_breaker_transitions_total{circuit}` counter
 * - `rpc_breaker_control_actions_total{circuit,action}` counter: `force-open`, `disable`, `reset`
 *   (operator actions, counted from registration on)
 * - `rpc_breaker_call_duration_seconds{circuit,outcome}` histogram (1 ms … 10 s buckets)
 * - `rpc_breaker_in_flight_calls{circuit}`, `rpc_breaker_retry_after_seconds{circuit}`,
 *   `rpc_breaker_window_failure_ratio{circuit}` gauges, and `rpc_breaker_circuits` (how many)
 */
import {
  Counter,
  Gauge,
  register as globalRegistry,
  type Registry,
  type RegistryContentType,
} from 'prom-client';
import { ConfigError } from '../core/errors.js';
import { hasMethods } from '../core/validate.js';
import type { CircuitSnapshot, CircuitState } from '../core/types.js';
import { disposableHandle, type DisposableHandle } from '../core/disposable.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import {
  CircuitTally,
  CONTROL_ACTIONS,
  DEFAULT_DURATION_BUCKETS_S,
  FALLBACK_KINDS,
  OUTCOMES,
  REJECT_REASONS,
} from './circuit-tally.js';
import { TallyHistogram } from './prometheus-histogram.js';
import { scrapeSnapshots } from './scrape-snapshots.js';
import {
  metricNames,
  validatePrometheusOptions,
  type PrometheusMetricsOptions,
} from './prometheus-options.js';

/** A prom-client registry of either content type (Prometheus text or OpenMetrics). */
type AnyRegistry = Registry<RegistryContentType>;

const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open', 'forced-open', 'disabled'];

export { PROMETHEUS_METRIC_NAMES, type PrometheusMetricsOptions } from './prometheus-options.js';

/** Which CircuitRegistry each prom-client registry exports, and how to undo it. */
const registrations = new WeakMap<
  AnyRegistry,
  { circuits: CircuitRegistry; handle: DisposableHandle }
>();

/**
 * Exports the circuits of `registry` as Prometheus metrics (see the list at the top of this
 * module). Values are computed when the prom-client registry is scraped; the only per-call work
 * is recording the call's duration (the circuit then reads its clock on every call).
 *
 * Calling it again with the same two registries is a no-op that returns the first handle. One
 * prom-client registry exports one CircuitRegistry: share one CircuitRegistry between your gRPC
 * and Thrift clients (their `registry` option), or `dispose()` the first registration first.
 *
 * @param registry the circuits to export
 * @param promRegistry where to register the metrics; default prom-client's global `register`
 * @param options see `PrometheusMetricsOptions` (ignored when the call is a no-op repeat)
 * @returns a handle whose `dispose()` unregisters the metrics and stops counting events
 * @throws ConfigError when `promRegistry` is not a prom-client Registry, already exports another
 *   CircuitRegistry, or already holds a metric of the same name registered by someone else
 */
export function registerPrometheusMetrics(
  registry: CircuitRegistry,
  promRegistry: Registry<RegistryContentType> = globalRegistry,
  options: PrometheusMetricsOptions = {},
): DisposableHandle {
  if (!hasMethods(registry, 'registry', 'snapshot', 'onCall'))
    throw new ConfigError('registry', 'must be a CircuitRegistry', registry);
  if (!hasMethods(promRegistry, 'promRegistry', 'registerMetric', 'getSingleMetric'))
    throw new ConfigError('promRegistry', 'must be a prom-client Registry', promRegistry);
  const existing = registrations.get(promRegistry);
  if (existing) {
    if (existing.circuits === registry) return existing.handle;
    throw new ConfigError(
      'promRegistry',
      'already exports the metrics of another CircuitRegistry (share one CircuitRegistry ' +
        'between clients through their `registry` option, or dispose() the first registration)',
      'a second CircuitRegistry',
    );
  }
  const { callDurations, prefix, labels: constant } = validatePrometheusOptions(options);
  const names = metricNames(prefix);
  for (const name of Object.values(names)) {
    if (promRegistry.getSingleMetric(name))
      throw new ConfigError(
        'promRegistry',
        'already holds a metric of this name that rpc-breaker did not register',
        name,
      );
  }

  const tally = new CircuitTally(
    registry,
    callDurations ? { durations: { boundsS: DEFAULT_DURATION_BUCKETS_S } } : {},
  );
  const snapshots = scrapeSnapshots(registry);
  const registers = [promRegistry];
  const constantNames = Object.keys(constant);
  const withCircuit = (circuit: string) => ({ ...constant, circuit });
  const perCircuit = (
    metric: Gauge<string> | Counter<string>,
    value: (s: CircuitSnapshot) => number,
  ): void => {
    metric.reset();
    for (const s of snapshots()) setValue(metric, withCircuit(s.name), value(s));
  };
  const perLabel = <L extends string>(
    metric: Counter<string>,
    label: string,
    values: readonly L[],
    value: (s: CircuitSnapshot, index: number) => number,
  ): void => {
    metric.reset();
    for (const s of snapshots())
      for (let i = 0; i < values.length; i++)
        metric.inc({ ...withCircuit(s.name), [label]: values[i]! }, value(s, i));
  };

  const state: Gauge<string> = new Gauge({
    name: names.state,
    help: 'Circuit state, one-hot: 1 for the current state, 0 for the others.',
    labelNames: [...constantNames, 'circuit', 'state'],
    registers,
    collect() {
      state.reset();
      for (const s of snapshots())
        for (const st of STATES)
          state.set({ ...withCircuit(s.name), state: st }, s.state === st ? 1 : 0);
    },
  });
  const calls: Counter<string> = new Counter({
    name: names.calls,
    help: 'Calls that ran under the circuit, by outcome.',
    labelNames: [...constantNames, 'circuit', 'outcome'],
    registers,
    collect: () => perLabel(calls, 'outcome', OUTCOMES, (s, i) => callCount(s, i)),
  });
  const slow: Counter<string> = new Counter({
    name: names.slowCalls,
    help: 'Calls at least slowCallMs long.',
    labelNames: [...constantNames, 'circuit'],
    registers,
    collect: () => perCircuit(slow, (s) => s.counts.slow),
  });
  const rejections: Counter<string> = new Counter({
    name: names.rejections,
    help: 'Calls rejected without running, by reason.',
    labelNames: [...constantNames, 'circuit', 'reason'],
    registers,
    collect: () =>
      perLabel(
        rejections,
        'reason',
        REJECT_REASONS,
        (s, i) => tally.get(s.name)?.rejections[i] ?? 0,
      ),
  });
  const fallbacks: Counter<string> = new Counter({
    name: names.fallbacks,
    help: 'Fallback answers served instead of real ones, by kind.',
    labelNames: [...constantNames, 'circuit', 'kind'],
    registers,
    collect: () =>
      perLabel(fallbacks, 'kind', FALLBACK_KINDS, (s, i) => tally.get(s.name)?.fallbacks[i] ?? 0),
  });
  const controls: Counter<string> = new Counter({
    name: names.controlActions,
    help: 'Operator actions on the circuit (createControlHandler / registry.control), by action.',
    labelNames: [...constantNames, 'circuit', 'action'],
    registers,
    collect: () =>
      perLabel(controls, 'action', CONTROL_ACTIONS, (s, i) => tally.get(s.name)?.controls[i] ?? 0),
  });
  const transitions: Counter<string> = new Counter({
    name: names.transitions,
    help: 'State changes of the circuit.',
    labelNames: [...constantNames, 'circuit'],
    registers,
    collect: () => perCircuit(transitions, (s) => s.counts.transitions),
  });
  if (callDurations)
    new TallyHistogram(
      names.callDuration,
      'Duration of calls that ran under the circuit, by outcome.',
      promRegistry,
      tally,
      () => snapshots().map((s) => s.name),
      constant,
    );
  const inFlight: Gauge<string> = new Gauge({
    name: names.inFlight,
    help: 'Calls holding a permit right now.',
    labelNames: [...constantNames, 'circuit'],
    registers,
    collect: () => perCircuit(inFlight, (s) => s.inFlight),
  });
  const retryAfter: Gauge<string> = new Gauge({
    name: names.retryAfter,
    help: 'Seconds until an open circuit lets a probe call through; 0 unless open.',
    labelNames: [...constantNames, 'circuit'],
    registers,
    collect: () => perCircuit(retryAfter, (s) => s.retryAfterMs / 1000),
  });
  const failureRatio: Gauge<string> = new Gauge({
    name: names.failureRatio,
    help: 'Share of failures among the calls in the trip window (0..1).',
    labelNames: [...constantNames, 'circuit'],
    registers,
    collect: () => perCircuit(failureRatio, (s) => s.window.failureRate),
  });
  const circuits: Gauge<string> = new Gauge({
    name: names.circuits,
    help: 'Circuits the registry holds.',
    labelNames: constantNames,
    registers,
    collect: () => circuits.set(constant, snapshots().length),
  });

  const handle = disposableHandle(() => {
    if (registrations.get(promRegistry)?.handle !== handle) return;
    registrations.delete(promRegistry);
    tally.dispose();
    for (const name of Object.values(names)) promRegistry.removeSingleMetric(name);
  });
  registrations.set(promRegistry, { circuits: registry, handle });
  return handle;
}

/** Calls of snapshot `s` with outcome `OUTCOMES[i]`. */
function callCount(s: CircuitSnapshot, i: number): number {
  const c = s.counts;
  return i === 0 ? c.successes : i === 1 ? c.failures : c.ignored;
}

function setValue(
  metric: Gauge<string> | Counter<string>,
  labels: Record<string, string>,
  v: number,
) {
  if (metric instanceof Gauge) metric.set(labels, v);
  else metric.inc(labels, v);
}
