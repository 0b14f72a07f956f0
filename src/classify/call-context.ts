/** What a policy callback (`classify`, a value fallback) learns about the call it is judging. */

/** Which adapter made the call. */
export type RpcSystem = 'grpc' | 'thrift';

/**
 * The call a policy callback is asked about. Read-only; credential metadata values are never
 * included (only their names), so a callback cannot leak them into logs by accident.
 */
export interface CallContext {
  /** `grpc` or `thrift`. */
  readonly system: RpcSystem;
  /** gRPC: the method path `/pkg.Service/Method`; Thrift: the method name. */
  readonly method: string;
  /** Name of the circuit guarding the call. */
  readonly circuit: string;
  /** The request: the gRPC request message (unary and server-streaming) or the Thrift arguments. */
  readonly request: unknown;
  /** gRPC request metadata as plain strings, credential values removed; `{}` for Thrift. */
  readonly metadata: Readonly<Record<string, string>>;
  /** 1 for the first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
}
