/** The events a `CircuitRegistry` emits (see its `onX` methods). */
import type { CircuitState, Outcome, RejectReason, StateChangeReason } from '../core/types.js';

/** A circuit changed state. */
export interface StateChangeEvent {
  name: string;
  from: CircuitState;
  to: CircuitState;
  /**
   * Why it opened (`consecutive-failures`, `failure-rate`, …, `remote`), or `restored` when
   * `registry.restore` set it; absent otherwise.
   */
  reason?: StateChangeReason;
}

/** A call holding a permit finished. */
export interface CallEvent {
  name: string;
  outcome: Outcome;
  durationMs: number;
  slow: boolean;
  /** What an adapter's call ended with, if an error: gRPC status name, or Thrift failure category. */
  errorType?: string;
}

/** A call was rejected without running. */
export interface RejectEvent {
  name: string;
  reason: RejectReason;
  retryAfterMs: number;
}

/** A fallback answer was served instead of a real one. */
export interface FallbackEvent {
  name: string;
  kind: 'cache' | 'value';
  /** The RPC method, when an adapter served it. */
  method?: string;
}

/** A circuit was evicted from the registry (idle and closed). */
export interface EvictEvent {
  name: string;
}

/** What an operator can do to a circuit: `forceOpen()`, `disable()` or `reset()`. */
export type ControlAction = 'force-open' | 'disable' | 'reset';

/** An operator acted on a circuit through `createControlHandler` (or `registry.control`). */
export interface ControlEvent {
  name: string;
  action: ControlAction;
  /** The new state. */
  state: CircuitState;
}

/** A circuit cannot recover on its own (e.g. its health check is not implemented by the server). */
export interface WarningEvent {
  name: string;
  /** Stable code, e.g. `HEALTH_CHECK_UNIMPLEMENTED`. */
  code: string;
  message: string;
}
