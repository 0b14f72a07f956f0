/**
 * The grpc-js call shapes the interceptor works with, as types only (grpc-js is an optional peer
 * dependency: nothing here is a runtime import), and what every guarded call receives.
 */
import type {
  InterceptingListener,
  InterceptorOptions,
  Metadata,
  NextCall,
  StatusObject,
} from '@grpc/grpc-js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import type { MethodRuntime } from './method-runtime.js';

/** A call in grpc-js's interceptor chain (not exported by grpc-js under this name). */
export type ChainCall = ReturnType<NextCall>;

/** The context object grpc-js passes with an outgoing message. */
export type MessageContext = Parameters<ChainCall['sendMessageWithContext']>[0];

/** The listener a call reports to; the layer above may leave methods out. */
export type CallListener = Partial<InterceptingListener>;

/** Everything a guarded call needs, fixed when grpc-js asks the interceptor for the call. */
export interface CallEnv {
  readonly registry: CircuitRegistry;
  readonly method: MethodRuntime;
  readonly options: InterceptorOptions;
  readonly nextCall: NextCall;
}

/** A final status (grpc-js `StatusObject`). */
export type FinalStatus = StatusObject;

/** Response headers, messages and final status of an answer the interceptor makes up itself. */
export interface SyntheticAnswer {
  headers: Metadata | undefined;
  messages: readonly unknown[];
  status: FinalStatus;
}

/** Status code OK (fixed by the gRPC specification). */
export const OK = 0;
/** Status code CANCELLED. */
export const CANCELLED = 1;
/** Status code UNAVAILABLE. */
export const UNAVAILABLE = 14;

/** Hands a made-up answer to the listener in the order grpc-js would: headers, messages, status. */
export function deliver(listener: CallListener, answer: SyntheticAnswer): void {
  if (answer.headers) listener.onReceiveMetadata?.(answer.headers);
  for (const m of answer.messages) listener.onReceiveMessage?.(m);
  listener.onReceiveStatus?.(answer.status);
}

/** The call's deadline in epoch milliseconds (Infinity when it has none). */
export function deadlineMs(deadline: InterceptorOptions['deadline']): number {
  if (deadline === undefined) return Infinity;
  return deadline instanceof Date ? deadline.getTime() : deadline;
}
