/**
 * The errors the Thrift wrapper makes up itself: a call that outlived its deadline, and a call that
 * failed because its connection closed, errored or was down. Both carry a stable `code` and are
 * recognised by a global-registry symbol brand, so the guards work across duplicate package copies.
 */

const TIMEOUT_BRAND = Symbol.for('rpc-breaker.ThriftTimeoutError');
const TRANSPORT_BRAND = Symbol.for('rpc-breaker.ThriftTransportError');

/** A Thrift call got no reply within its `timeoutMs`; its late reply, if any, is dropped. */
export class ThriftTimeoutError extends Error {
  /** Stable error code, `'THRIFT_TIMEOUT'`. */
  readonly code = 'THRIFT_TIMEOUT' as const;
  /** The RPC method, e.g. `getItem`. */
  readonly method: string;
  /** The deadline that expired, ms after the call started. */
  readonly timeoutMs: number;

  constructor(method: string, timeoutMs: number) {
    super(`thrift call ${method} got no reply within ${timeoutMs} ms`);
    this.name = 'ThriftTimeoutError';
    this.method = method;
    this.timeoutMs = timeoutMs;
    Object.defineProperty(this, TIMEOUT_BRAND, { value: true });
  }
}

/**
 * Why a call failed at the transport: its connection `closed` or reported an `error` while the
 * call was pending, or was already `down` when the call was made (the call was never sent).
 */
export type ThriftTransportReason = 'closed' | 'error' | 'down';

/** A Thrift call failed because of its connection; `cause` holds the connection's error, if any. */
export class ThriftTransportError extends Error {
  /** Stable error code, `'THRIFT_TRANSPORT'`. */
  readonly code = 'THRIFT_TRANSPORT' as const;
  /** The RPC method, e.g. `getItem`. */
  readonly method: string;
  /** What happened to the connection. */
  readonly reason: ThriftTransportReason;

  constructor(method: string, reason: ThriftTransportReason, cause?: unknown) {
    super(describe(method, reason, cause), cause === undefined ? undefined : { cause });
    this.name = 'ThriftTransportError';
    this.method = method;
    this.reason = reason;
    Object.defineProperty(this, TRANSPORT_BRAND, { value: true });
  }
}

function describe(method: string, reason: ThriftTransportReason, cause: unknown): string {
  const why =
    reason === 'down'
      ? 'was not sent: the connection is down'
      : reason === 'closed'
        ? 'failed: the connection closed before the reply'
        : 'failed: the connection reported an error';
  const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
  return `thrift call ${method} ${why}${detail}`;
}

/** True when `e` is a `ThriftTimeoutError` from any copy of rpc-breaker. */
export function isThriftTimeoutError(e: unknown): e is ThriftTimeoutError {
  return (
    typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[TIMEOUT_BRAND] === true
  );
}

/** True when `e` is a `ThriftTransportError` from any copy of rpc-breaker. */
export function isThriftTransportError(e: unknown): e is ThriftTransportError {
  return (
    typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[TRANSPORT_BRAND] === true
  );
}
