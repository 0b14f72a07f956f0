/**
 * The Prometheus metric names, and the options of `registerPrometheusMetrics` with their
 * validation: which optional metric to export, the name prefix, and constant labels added to
 * every series.
 */
import { ConfigError } from '../core/errors.js';
import { isPlainObject, readEntries, readOptions } from '../core/validate.js';

/** Names of every metric `registerPrometheusMetrics` registers (with the default prefix). */
export const PROMETHEUS_METRIC_NAMES = Object.freeze({
  state: 'rpc_breaker_state',
  calls: 'rpc_breaker_calls_total',
  slowCalls: 'rpc_breaker_slow_calls_total',
  rejections: 'rpc_breaker_rejections_total',
  fallbacks: 'rpc_breaker_fallbacks_total',
  transitions: 'rpc_breaker_transitions_total',
  controlActions: 'rpc_breaker_control_actions_total',
  callDuration: 'rpc_breaker_call_duration_seconds',
  inFlight: 'rpc_breaker_in_flight_calls',
  retryAfter: 'rpc_breaker_retry_after_seconds',
  failureRatio: 'rpc_breaker_window_failure_ratio',
  circuits: 'rpc_breaker_circuits',
});

/** Options of `registerPrometheusMetrics`. */
export interface PrometheusMetricsOptions {
  /**
   * Export `rpc_breaker_call_duration_seconds`. It is the only per-call work: the circuits then
   * time every call (about 150 ns a call, mostly the core leaving its clock-free fast path).
   * Default true.
   */
  callDurations?: boolean;
  /**
   * Replaces `rpc_breaker_` at the start of every metric name, e.g. `'checkout_breaker_'` gives
   * `checkout_breaker_state`. Must be a valid start of a Prometheus metric name
   * (`[a-zA-Z_:][a-zA-Z0-9_:]*`). Default `'rpc_breaker_'`.
   */
  prefix?: string;
  /**
   * Constant labels added to every series, e.g. `{ service: 'checkout', region: 'eu-1' }`: label
   * names as Prometheus allows them, not starting with `__`, none of the names the metrics use
   * themselves (`circuit`, `state`, `outcome`, `reason`, `kind`, `action`, `le`); string values. Default none.
   */
  labels?: Readonly<Record<string, string>>;
}

/** Options after validation. */
export interface ValidatedPrometheusOptions {
  readonly callDurations: boolean;
  readonly prefix: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The prefix of every metric name unless `prefix` says otherwise. */
export const DEFAULT_PROMETHEUS_PREFIX = 'rpc_breaker_';

const KNOWN = new Set(['callDurations', 'prefix', 'labels']);
const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED = new Set([
  'circuit',
  'state',
  'outcome',
  'reason',
  'kind',
  'action',
  'le',
  'quantile',
]);

/** @throws ConfigError naming the option and the value when one is invalid */
export function validatePrometheusOptions(options: unknown): ValidatedPrometheusOptions {
  const o = readOptions(options, KNOWN, 'options') as PrometheusMetricsOptions;
  const callDurations = o.callDurations ?? true;
  if (typeof callDurations !== 'boolean')
    throw new ConfigError('options.callDurations', 'must be a boolean', callDurations);
  const prefix = o.prefix ?? DEFAULT_PROMETHEUS_PREFIX;
  if (typeof prefix !== 'string' || !PREFIX.test(prefix))
    throw new ConfigError(
      'options.prefix',
      'must be the start of a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)',
      prefix,
    );
  const labels: Record<string, unknown> = o.labels ?? {};
  if (!isPlainObject(labels))
    throw new ConfigError('options.labels', 'must be an object of label names to values', labels);
  const entries = readEntries(labels, 'options.labels');
  for (const [name, value] of entries) {
    if (!LABEL.test(name) || name.startsWith('__'))
      throw new ConfigError(
        'options.labels',
        'has a key that is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)',
        name,
      );
    if (RESERVED.has(name))
      throw new ConfigError('options.labels', 'has a key the metrics already use', name);
    if (typeof value !== 'string')
      throw new ConfigError(`options.labels.${name}`, 'must be a string', value);
  }
  return Object.freeze({
    callDurations,
    prefix,
    labels: Object.freeze(Object.fromEntries(entries) as Record<string, string>),
  });
}

/** The metric names under `prefix` (which replaces `rpc_breaker_`). */
export function metricNames(prefix: string): typeof PROMETHEUS_METRIC_NAMES {
  const entries = Object.entries(PROMETHEUS_METRIC_NAMES).map(([k, name]) => [
    k,
    prefix + name.slice(DEFAULT_PROMETHEUS_PREFIX.length),
  ]);
  return Object.fromEntries(entries) as typeof PROMETHEUS_METRIC_NAMES;
}
