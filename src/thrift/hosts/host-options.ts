/**
 * Options of `createThriftHostsClient`: the host list, how to connect and reconnect, and the
 * per-host circuit policy; validated once, frozen. The method-level options (`registry`,
 * `service`, `defaults`, `methods`) are checked by the wrapper's own validation.
 *
 * Default host circuit, as for gRPC endpoints (src/grpc/endpoints/endpoint-options.ts): a
 * failure rate of 0.3 over a host's last 10 calls (5 at least), calls in flight past 1 s count
 * as slow (rate 0.3) so a hung host is ejected while its calls hang, open 1 s doubling to 10 s, three probes in a row to close.
 * Host failures default to `transport` and `timeout`: an application error or a declared
 * exception is the server answering, and says nothing about one host.
 */
import { ConfigError } from '../../core/errors.js';
import {
  CIRCUIT_POLICY_KEYS,
  resolveCircuitPolicy,
  type CircuitPolicy,
} from '../../core/policy.js';
import { isPlainObject, readOptions } from '../../core/validate.js';
import { requireTimerMs } from '../../core/timer-delay.js';
import { validateThriftFailure, type ThriftFailure } from '../../classify/thrift-errors.js';
import { DEFAULT_ENDPOINT_CIRCUIT } from '../../registry/endpoint-book.js';
import { readHosts, type HostAddress, type HostSpec } from './host-address.js';

/** How a host's connection is made again after it closed or was refused. */
export interface ReconnectOptions {
  /** First delay, ms; default 100. */
  initialDelayMs?: number;
  /** Longest delay, ms; default 5_000. */
  maxDelayMs?: number;
  /** Growth per failed attempt; default 2. */
  multiplier?: number;
  /** Random share taken off or added to each delay, 0..1; default 0.2. */
  jitter?: number;
}

/** The per-host circuits. */
export interface HostCircuitOptions {
  /** Policy of each host's circuit, merged over the host defaults (see the file comment). */
  circuit?: CircuitPolicy;
  /** What counts as a host failure; default `['transport', 'timeout']`. */
  failOn?: ThriftFailure[];
  /** Most hosts ejected at once, in percent (at least one of two or more, never all); default 50. */
  maxEjectionPercent?: number;
  /**
   * An idempotent call whose host has not answered within this many ms is abandoned there and
   * sent to another host, once; default: half of the call's remaining deadline.
   */
  failoverAfterMs?: number;
}

/** The host-level part of `createThriftHostsClient`'s options. */
export interface ThriftHostsConnectOptions {
  /** The hosts, `'host:port'` or `{ host, port }`; at least one, no duplicates. */
  hosts: readonly HostSpec[];
  /** npm thrift transport class (e.g. `thrift.TFramedTransport`); thrift's default otherwise. */
  transport?: unknown;
  /** npm thrift protocol class (e.g. `thrift.TBinaryProtocol`); thrift's default otherwise. */
  protocol?: unknown;
  /** Talk HTTP (`thrift.createHttpConnection`) instead of TCP. */
  http?: { path?: string; https?: boolean; headers?: Record<string, string> };
  reconnect?: ReconnectOptions;
  endpoint?: HostCircuitOptions;
}

/** Validated host-level options. */
export interface ValidatedHostsOptions {
  readonly hosts: readonly HostAddress[];
  readonly transport: unknown;
  readonly protocol: unknown;
  readonly http: { path: string; https: boolean; headers: Record<string, string> } | undefined;
  readonly reconnect: Required<ReconnectOptions>;
  readonly circuit: CircuitPolicy;
  readonly failOn: readonly ThriftFailure[];
  readonly maxEjectionPercent: number;
  readonly failoverAfterMs: number | undefined;
}

/** The option names of the host level (the rest are the wrapper's). */
export const HOST_OPTION_KEYS: ReadonlySet<string> = new Set([
  'hosts',
  'transport',
  'protocol',
  'http',
  'reconnect',
  'endpoint',
]);

/**
 * @throws ConfigError naming the option and the value
 */
export function validateHostsOptions(o: Readonly<Record<string, unknown>>): ValidatedHostsOptions {
  return Object.freeze({
    hosts: readHosts(o.hosts, 'hosts'),
    transport: readClass(o.transport, 'transport'),
    protocol: readClass(o.protocol, 'protocol'),
    http: readHttp(o.http),
    reconnect: readReconnect(o.reconnect),
    ...readEndpoint(o.endpoint),
  });
}

function readClass(v: unknown, path: string): unknown {
  if (v !== undefined && typeof v !== 'function') {
    throw new ConfigError(path, 'must be an npm thrift class (e.g. thrift.TFramedTransport)', v);
  }
  return v;
}

function readHttp(v: unknown): ValidatedHostsOptions['http'] {
  if (v === undefined) return undefined;
  const o = readOptions(v, new Set(['path', 'https', 'headers']), 'http');
  const path = o.path ?? '/';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ConfigError('http.path', "must be a string starting with '/'", o.path);
  }
  if (o.https !== undefined && typeof o.https !== 'boolean') {
    throw new ConfigError('http.https', 'must be a boolean', o.https);
  }
  const headers = o.headers ?? {};
  if (!isPlainObject(headers) || Object.values(headers).some((h) => typeof h !== 'string')) {
    throw new ConfigError('http.headers', 'must be an object of string values', o.headers);
  }
  return { path, https: o.https === true, headers: { ...(headers as Record<string, string>) } };
}

function readReconnect(v: unknown): Required<ReconnectOptions> {
  const known = new Set(['initialDelayMs', 'maxDelayMs', 'multiplier', 'jitter']);
  const o = v === undefined ? {} : readOptions(v, known, 'reconnect');
  const initialDelayMs = requireTimerMs(o.initialDelayMs ?? 100, 'reconnect.initialDelayMs');
  const maxDelayMs = requireTimerMs(o.maxDelayMs ?? 5_000, 'reconnect.maxDelayMs');
  if (maxDelayMs < initialDelayMs) {
    throw new ConfigError('reconnect.maxDelayMs', 'must be at least initialDelayMs', maxDelayMs);
  }
  const multiplier = o.multiplier ?? 2;
  if (typeof multiplier !== 'number' || !(multiplier >= 1 && multiplier <= 100)) {
    throw new ConfigError('reconnect.multiplier', 'must be a number in [1, 100]', o.multiplier);
  }
  const jitter = o.jitter ?? 0.2;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw new ConfigError('reconnect.jitter', 'must be a number in [0, 1]', o.jitter);
  }
  return { initialDelayMs, maxDelayMs, multiplier, jitter };
}

function readEndpoint(v: unknown) {
  const known = new Set(['circuit', 'failOn', 'maxEjectionPercent', 'failoverAfterMs']);
  const o = v === undefined ? {} : readOptions(v, known, 'endpoint');
  const own =
    o.circuit === undefined ? {} : readOptions(o.circuit, CIRCUIT_POLICY_KEYS, 'endpoint.circuit');
  const circuit: CircuitPolicy = { ...DEFAULT_ENDPOINT_CIRCUIT, ...own };
  resolveCircuitPolicy(circuit, 'endpoint.circuit');
  const rawFailOn = o.failOn ?? ['transport', 'timeout'];
  if (!Array.isArray(rawFailOn)) {
    throw new ConfigError('endpoint.failOn', 'must be an array of failures', o.failOn);
  }
  const failOn = rawFailOn.map((f, i) => validateThriftFailure(f, `endpoint.failOn[${i}]`));
  const maxEjectionPercent = o.maxEjectionPercent ?? 50;
  if (
    typeof maxEjectionPercent !== 'number' ||
    !(maxEjectionPercent >= 0 && maxEjectionPercent <= 100)
  ) {
    throw new ConfigError(
      'endpoint.maxEjectionPercent',
      'must be a number in [0, 100]',
      o.maxEjectionPercent,
    );
  }
  const failoverAfterMs =
    o.failoverAfterMs === undefined
      ? undefined
      : requireTimerMs(o.failoverAfterMs, 'endpoint.failoverAfterMs');
  return { circuit, failOn: Object.freeze(failOn), maxEjectionPercent, failoverAfterMs };
}
