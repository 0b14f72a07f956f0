/**
 * gRPC status codes by name and number, and the validation of a `failOn`/`ignore` entry.
 *
 * The numbers are fixed by the gRPC specification (doc/statuscodes.md), so they are written out
 * here rather than imported: this layer knows nothing of @grpc/grpc-js. A `status` enum value of
 * grpc-js is one of these numbers.
 */
import { ConfigError } from '../core/errors.js';

/** Every gRPC status code, by name. */
export const GRPC_STATUS = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const);

/** A gRPC status name, e.g. `'UNAVAILABLE'`. */
export type GrpcStatusName = keyof typeof GRPC_STATUS;

/** A status given by name (`'UNAVAILABLE'`) or number (`14`, or grpc-js `status.UNAVAILABLE`). */
export type GrpcFailure = GrpcStatusName | number;

/** Highest status number defined by the specification. */
export const MAX_GRPC_STATUS = 16;

const NAMES: readonly GrpcStatusName[] = Object.freeze(
  // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: GRPC_STATUS is written in number order, so the sort (a safeguard) never moves a name
  (Object.keys(GRPC_STATUS) as GrpcStatusName[]).sort((a, b) => GRPC_STATUS[a] - GRPC_STATUS[b]),
);

/** Status codes that count as failures unless a method's `failOn` says otherwise. */
export const DEFAULT_GRPC_FAILURES: readonly GrpcStatusName[] = Object.freeze([
  'UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'INTERNAL',
  'UNKNOWN',
  'RESOURCE_EXHAUSTED',
  'DATA_LOSS',
]);

/** Status codes that count as neither success nor failure unless `ignore` says otherwise. */
export const DEFAULT_GRPC_IGNORED: readonly GrpcStatusName[] = Object.freeze(['CANCELLED']);

/** The name of status `code` (`'UNAVAILABLE'` for 14); `'UNKNOWN'` for a number outside 0..16. */
export function grpcStatusName(code: number): GrpcStatusName {
  return NAMES[code] ?? 'UNKNOWN';
}

/**
 * The number of a status given by name or number.
 * @throws ConfigError when `f` is neither a known name nor an integer in 0..16
 */
export function grpcStatusCode(f: unknown, path = 'status'): number {
  if (typeof f === 'number') {
    if (Number.isInteger(f) && f >= 0 && f <= MAX_GRPC_STATUS) return f;
  } else if (typeof f === 'string' && Object.hasOwn(GRPC_STATUS, f)) {
    return GRPC_STATUS[f as GrpcStatusName];
  }
  throw new ConfigError(
    path,
    'must be a gRPC status name (e.g. "UNAVAILABLE") or a status number 0..16',
    f,
  );
}

/**
 * Checks one `failOn`/`ignore` entry and returns it unchanged.
 * @throws ConfigError when it is not a status name or number (names are upper case, as in the
 *   gRPC specification: `'UNAVAILABLE'`, not `'unavailable'`)
 */
export function validateGrpcFailure(f: unknown, path: string): GrpcFailure {
  grpcStatusCode(f, path);
  return f as GrpcFailure;
}
