/**
 * The deadline and cancellation a guarded call inherits.
 *
 * A caller's call carries a deadline of its own (`options.deadline`), or inherits one from a
 * server call it is made for (grpc-js `parent` with `propagate_flags` including DEADLINE, which
 * the default flags do): grpc-js applies the parent's deadline below the interceptor. Only a call
 * that carries neither gets the interceptor's `timeoutMs`, and only then is a DEADLINE_EXCEEDED
 * the interceptor's own doing. Likewise a parent's cancellation (flag CANCELLATION, also a
 * default) reaches the call below the interceptor as a CANCELLED status: it is the caller's own
 * cancellation, never the dependency's failure.
 */
import type { CallEnv } from './call-types.js';
import { deadlineMs } from './call-types.js';

/** grpc-js `propagate.DEADLINE`. */
const PROPAGATE_DEADLINE = 1;
/** grpc-js `propagate.CANCELLATION`. */
const PROPAGATE_CANCELLATION = 8;
/** grpc-js `propagate.DEFAULTS`, used when `propagate_flags` is not given. */
const PROPAGATE_DEFAULTS = 0xffff;

type CallOptions = CallEnv['options'];

/** The part of a grpc-js server call a child call inherits from. */
interface ParentCall {
  getDeadline(): Date | number;
  once?(event: 'cancelled', listener: () => void): unknown;
  removeListener?(event: 'cancelled', listener: () => void): unknown;
}

/** A call's deadline, as the interceptor sees it. */
export interface CallDeadline {
  /** Options for `nextCall`: the caller's, plus the `timeoutMs` deadline when it carried none. */
  readonly options: CallOptions;
  /** The deadline was set from `timeoutMs` (an expiry is the interceptor's own doing). */
  readonly own: boolean;
  /** The earliest deadline that applies, epoch ms; Infinity without one. */
  readonly atMs: number;
}

/** The deadline of a call made with `options`, given the method's `timeoutMs`. */
export function callDeadline(options: CallOptions, timeoutMs: number | undefined): CallDeadline {
  const inherited = inheritedDeadlineMs(options);
  const carried = Math.min(deadlineMs(options.deadline), inherited);
  // A caller's explicit deadline, even Infinity ("none"), wins over `timeoutMs`, as before.
  if (options.deadline !== undefined || Number.isFinite(inherited) || timeoutMs === undefined) {
    return { options, own: false, atMs: carried };
  }
  const atMs = Date.now() + timeoutMs;
  return { options: { ...options, deadline: atMs }, own: true, atMs };
}

/** The parent's deadline when it propagates to this call, epoch ms; Infinity otherwise. */
function inheritedDeadlineMs(options: CallOptions): number {
  const parent = options.parent as ParentCall | null | undefined;
  if (!parent || !propagates(options, PROPAGATE_DEADLINE)) return Infinity;
  try {
    const d = deadlineMs(parent.getDeadline());
    return typeof d === 'number' && !Number.isNaN(d) ? d : Infinity;
  } catch {
    return Infinity;
  }
}

/**
 * Calls `onCancel` when the parent call is cancelled (when its cancellation propagates to this
 * call); returns a function that stops listening, or undefined when there is nothing to hear.
 */
export function onParentCancelled(
  options: CallOptions,
  onCancel: () => void,
): (() => void) | undefined {
  const parent = options.parent as ParentCall | null | undefined;
  if (!parent || !propagates(options, PROPAGATE_CANCELLATION)) return undefined;
  if (typeof parent.once !== 'function' || typeof parent.removeListener !== 'function') {
    return undefined;
  }
  parent.once('cancelled', onCancel);
  return () => parent.removeListener!('cancelled', onCancel);
}

function propagates(options: CallOptions, flag: number): boolean {
  const flags =
    typeof options.propagate_flags === 'number' ? options.propagate_flags : PROPAGATE_DEFAULTS;
  return (flags & flag) !== 0;
}
