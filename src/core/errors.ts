/**
 * Errors thrown to users. Each carries a stable `code`, and the guards recognise errors by a
 * global-registry symbol brand, so they work across duplicate copies of this package.
 */
import type { RejectReason } from './types.js';

const CIRCUIT_OPEN_BRAND = Symbol.for('rpc-breaker.CircuitOpenError');
const CONFIG_ERROR_BRAND = Symbol.for('rpc-breaker.ConfigError');

/**
 * A call was rejected without running because its circuit did not let it through.
 * `reason` says why: the circuit is `open` or `forced-open`, its half-open probes are all in use
 * (`half-open-full`), or its bulkhead is full (`bulkhead`).
 */
export class CircuitOpenError extends Error {
  /** Stable error code, `'CIRCUIT_OPEN'`. */
  readonly code = 'CIRCUIT_OPEN' as const;
  /** Name of the circuit that rejected the call. */
  readonly circuit: string;
  /** Milliseconds until the circuit may let a call through; `Infinity` when forced open. */
  readonly retryAfterMs: number;
  /** Why the call was rejected. */
  readonly reason: RejectReason;

  constructor(circuit: string, retryAfterMs: number, reason: RejectReason = 'open') {
    super(describeRejection(circuit, retryAfterMs, reason));
    this.name = 'CircuitOpenError';
    this.circuit = circuit;
    this.retryAfterMs = retryAfterMs;
    this.reason = reason;
    Object.defineProperty(this, CIRCUIT_OPEN_BRAND, { value: true });
  }
}

/** Describes a rejection in one sentence; used for error messages and gRPC status details. */
export function describeRejection(
  circuit: string,
  retryAfterMs: number,
  reason: RejectReason,
): string {
  switch (reason) {
    case 'forced-open':
      return `circuit "${circuit}" is forced open`;
    case 'half-open-full':
      return `circuit "${circuit}" is half-open and its probe calls are in use`;
    case 'bulkhead':
      return `circuit "${circuit}" has reached its maxConcurrent limit`;
    default:
      return `circuit "${circuit}" is open; retry after ${Math.ceil(retryAfterMs)} ms`;
  }
}

/**
 * Marks `status` (an object an adapter hands to its RPC library, such as a grpc-js status that
 * becomes the caller's `ServiceError` by `Object.assign`) as a circuit's rejection: it gains
 * `circuit`, `retryAfterMs`, `reason` and the brand that `isCircuitOpenError` recognises, all as
 * own enumerable properties so that they are copied onto the error. Only code in this process can
 * set a symbol property, so a status that a server sent is never taken for a rejection.
 */
export function markCircuitRejection<T extends object>(
  status: T,
  circuit: string,
  retryAfterMs: number,
  reason: RejectReason,
): T {
  return Object.assign(status, { circuit, retryAfterMs, reason, [CIRCUIT_OPEN_BRAND]: true });
}

/**
 * True when `e` is a `CircuitOpenError` from any copy of rpc-breaker, or the error of an RPC that
 * a circuit rejected (e.g. a gRPC `ServiceError` with status UNAVAILABLE made by the interceptor,
 * whose `code` is then the gRPC status, 14). False for every error a server itself sent.
 */
export function isCircuitOpenError(e: unknown): e is CircuitOpenError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[CIRCUIT_OPEN_BRAND] === true
  );
}

/**
 * An option was invalid. The message names the option's path and the value received, e.g.
 * `circuit.trip.failureRate must be in (0, 1]; got 2`.
 */
export class ConfigError extends Error {
  /** Stable error code, `'CONFIG_INVALID'`. */
  readonly code = 'CONFIG_INVALID' as const;
  /** Dotted path of the offending option, e.g. `circuit.trip.failureRate`. */
  readonly path: string;

  /**
   * @param options.cause what made the option unreadable (e.g. the error its getter threw)
   */
  constructor(path: string, requirement: string, received: unknown, options?: { cause?: unknown }) {
    super(`${path} ${requirement}; got ${formatValue(received)}`, options);
    this.name = 'ConfigError';
    this.path = path;
    Object.defineProperty(this, CONFIG_ERROR_BRAND, { value: true });
  }
}

/** True when `e` is a `ConfigError` from any copy of rpc-breaker. */
export function isConfigError(e: unknown): e is ConfigError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[CONFIG_ERROR_BRAND] === true
  );
}

/**
 * Renders a received option value for an error message, briefly and without throwing (even for a
 * Proxy whose traps throw).
 */
export function formatValue(v: unknown): string {
  try {
    return describeValue(v);
  } catch {
    return 'an unreadable object';
  }
}

function describeValue(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (typeof v === 'bigint' || typeof v === 'symbol') return String(v);
  if (v === undefined || typeof v === 'number' || typeof v === 'boolean' || v === null)
    return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}
