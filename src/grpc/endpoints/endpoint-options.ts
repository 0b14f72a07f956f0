/**
 * Options of the per-endpoint breaker (`registerEndpointBreaker`) and of one channel's
 * `loadBalancingConfig` entry, with their validation and defaults.
 *
 * Default endpoint circuit, and why:
 * - `trip: { failureRate: 0.3, windowCalls: 10, minimumCalls: 5 }`: a count window reacts within
 *   a few calls (3 failures among an endpoint's last 10 calls), whatever the call rate; a healthy
 *   endpoint practically never fails at the transport level, so 30 % is far from its noise.
 * - `slowCallMs: 1_000, slowCallRate: 0.3`: calls still in flight past `slowCallMs` count as
 *   slow, so a hung or black-holed endpoint is ejected while its calls hang (5 of them against a
 *   full window of 10), not when their deadlines pass. Set `slowCallMs` to what is abnormally slow for your service (the benchmark
 *   uses 150 ms against a 10 ms p50).
 * - `openMs: { initialMs: 1_000, maxMs: 10_000 }`: an ejected endpoint is tried again after 1 s,
 *   then after up to 10 s while it keeps failing its probes.
 * - `halfOpenSuccesses: 3`: one probe at a time, three in a row to come back, so an endpoint
 *   failing half its calls is let back one time in eight rather than one in two; a probe slower
 *   than `slowCallMs` fails (the core's rule wherever a slow-call rate is set).
 * - `failOn: ['UNAVAILABLE', 'DEADLINE_EXCEEDED']`: what an endpoint's transport does when it is
 *   sick (refused, reset, killed mid-call; no answer in time). Statuses a server sends on purpose
 *   (NOT_FOUND, INVALID_ARGUMENT, … and INTERNAL/UNKNOWN, usually the same bug on every
 *   replica) count as success: a storm of them says nothing about one endpoint.
 */
import { ConfigError } from '../../core/errors.js';
import { requireTimerMs } from '../../core/timer-delay.js';
import {
  CIRCUIT_POLICY_KEYS,
  resolveCircuitPolicy,
  type CircuitPolicy,
} from '../../core/policy.js';
import { isPlainObject, readOptions, unreadable } from '../../core/validate.js';
import { validateGrpcFailure, type GrpcStatusName } from '../../classify/grpc-status.js';
import { CircuitRegistry } from '../../registry/circuit-registry.js';
import type { GrpcPolicyFailure } from '../options.js';

/** How an ejected endpoint is tried again once its open time has passed. */
export type EndpointReadmission =
  /** A limited number of real calls (`circuit.halfOpenProbes`, default 1) probe it. */
  | 'calls'
  /** A `grpc.health.v1.Health/Check` on that endpoint's own connection probes it. */
  | { healthCheck: { service?: string; timeoutMs?: number } };

/** Options of `registerEndpointBreaker`. */
export interface EndpointBreakerOptions {
  /** Where endpoint circuits live (share it with the interceptor); default: a private registry. */
  registry?: CircuitRegistry;
  /** Policy of each endpoint circuit, merged over the endpoint defaults (see the file comment). */
  circuit?: CircuitPolicy;
  /** Statuses that count as an endpoint failure; default `['UNAVAILABLE', 'DEADLINE_EXCEEDED']`. */
  failOn?: GrpcPolicyFailure[];
  /** Statuses that count as neither; default `['CANCELLED']`. */
  ignore?: GrpcPolicyFailure[];
  /**
   * Most endpoints ejected at once, in percent of the channel's endpoints; default 50. At least
   * one endpoint may be ejected when there are two or more (A50's 10 % of 4 backends would be
   * none), and never all: when every endpoint is sick, all are used.
   */
  maxEjectionPercent?: number;
  /** How an ejected endpoint comes back; default `'calls'`. */
  readmission?: EndpointReadmission;
  /** The policy's name in `loadBalancingConfig`; default `'rpc_breaker'`. */
  name?: string;
}

/** Validated registration options; frozen. */
export interface ValidatedEndpointOptions {
  readonly registry: CircuitRegistry;
  readonly circuit: CircuitPolicy;
  readonly failOn: readonly GrpcPolicyFailure[];
  readonly ignore: readonly GrpcPolicyFailure[];
  readonly maxEjectionPercent: number;
  readonly healthCheck: { service: string; timeoutMs: number } | undefined;
  readonly name: string;
}

import { DEFAULT_ENDPOINT_CIRCUIT } from '../../registry/endpoint-book.js';
export { DEFAULT_ENDPOINT_CIRCUIT };
/** Default endpoint failures: transport-level statuses. */
export const DEFAULT_ENDPOINT_FAILURES: readonly GrpcStatusName[] = Object.freeze([
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
]);

const KNOWN = new Set([
  'registry',
  'circuit',
  'failOn',
  'ignore',
  'maxEjectionPercent',
  'readmission',
  'name',
]);
const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Validates `registerEndpointBreaker`'s options and fills in defaults.
 * @throws ConfigError naming the option path and the value
 */
export function validateEndpointOptions(options: unknown): ValidatedEndpointOptions {
  const o = readOptions(options ?? {}, KNOWN, 'options');
  if (o.registry !== undefined && !isRegistry(o.registry)) {
    throw new ConfigError('registry', 'must be a CircuitRegistry', o.registry);
  }
  const own = o.circuit === undefined ? {} : readOptions(o.circuit, CIRCUIT_POLICY_KEYS, 'circuit');
  const circuit: CircuitPolicy = { ...DEFAULT_ENDPOINT_CIRCUIT, ...own };
  resolveCircuitPolicy(circuit, 'circuit');
  const name = o.name ?? 'rpc_breaker';
  if (typeof name !== 'string' || !NAME.test(name))
    throw new ConfigError('name', 'must match /^[a-z][a-z0-9_]*$/', name);
  return Object.freeze({
    registry: (o.registry as CircuitRegistry | undefined) ?? new CircuitRegistry(),
    circuit: Object.freeze(circuit),
    failOn: Object.freeze(readList(o.failOn, 'failOn') ?? DEFAULT_ENDPOINT_FAILURES),
    ignore: Object.freeze(readList(o.ignore, 'ignore') ?? ['CANCELLED' as const]),
    maxEjectionPercent: readPercent(o.maxEjectionPercent ?? 50, 'maxEjectionPercent'),
    healthCheck: readReadmission(o.readmission),
    name,
  });
}

/** `v instanceof CircuitRegistry`; a Proxy whose prototype cannot be read is a ConfigError. */
function isRegistry(v: unknown): boolean {
  try {
    return v instanceof CircuitRegistry;
  } catch (error) {
    throw unreadable('registry', error);
  }
}

/** Reads a 0..100 percentage. */
export function readPercent(v: unknown, path: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 100))
    throw new ConfigError(path, 'must be a number in [0, 100]', v);
  return v;
}

export { ejectionCap } from '../../registry/endpoint-book.js';

function readList(v: unknown, path: string): GrpcPolicyFailure[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new ConfigError(path, 'must be an array of statuses', v);
  return v.map((f, i) => validateGrpcFailure(f, `${path}[${i}]`) as GrpcPolicyFailure);
}

function readReadmission(v: unknown): ValidatedEndpointOptions['healthCheck'] {
  if (v === undefined || v === 'calls') return undefined;
  const what = "must be 'calls' or { healthCheck: {...} }";
  const r = readOptions(v, new Set(['healthCheck']), 'readmission', 'reject', what);
  if (!isPlainObject(r.healthCheck)) throw new ConfigError('readmission', what, v);
  const h = readOptions(
    r.healthCheck,
    new Set(['service', 'timeoutMs']),
    'readmission.healthCheck',
  );
  if (h.service !== undefined && typeof h.service !== 'string')
    throw new ConfigError('readmission.healthCheck.service', 'must be a string', h.service);
  // Bounded like every deadline: a health check's deadline is `Date.now() + timeoutMs`.
  const timeoutMs = requireTimerMs(h.timeoutMs ?? 1_000, 'readmission.healthCheck.timeoutMs');
  return Object.freeze({ service: (h.service as string | undefined) ?? '', timeoutMs });
}
