/**
 * Public types of the Thrift wrapper: its options, the connection it watches, and the typed names
 * of a generated client's RPC methods.
 */
import type { MethodPolicy } from '../registry/method-policy.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import type { ThriftFailure } from '../classify/thrift-errors.js';
import type { ThriftCallOptions } from './call-options.js';

/** The policy of one Thrift method (or of `'*'`). */
export type ThriftMethodPolicy = MethodPolicy<ThriftFailure>;

/**
 * Names of a generated client's own members that are not RPC methods: the sequence-id helpers and
 * the `send_*` / `recv_*` halves of each RPC.
 */
type NonRpcName = 'seqid' | 'new_seqid' | `send_${string}` | `recv_${string}` | `process_${string}`;

/**
 * The RPC method names of a generated Thrift client type `C`: its public function-valued members,
 * including those inherited from the services it extends. With the .d.ts files thrift-compiler
 * writes (`--gen js:node,ts`), these are exactly the IDL's methods.
 */
export type RpcMethodOf<C> = {
  [K in keyof C & string]: C[K] extends (...args: any[]) => unknown
    ? K extends NonRpcName
      ? never
      : K
    : never;
}[keyof C & string];

/**
 * One RPC method of a generated client as the wrapper exposes it: it returns a Promise of the
 * method's result, with or without a trailing Node-style callback (which is still called), and
 * takes per-call options (`thriftCallOptions({ signal, timeoutMs })`) after the IDL's arguments.
 *
 * thrift-compiler's `.d.ts` for `js:node,ts` declares each method twice, `getItem(id): Item` and
 * `getItem(id, callback?: (error, response: Item) => void): void`; the result type `R` is read
 * from the callback's `response` parameter of the last overload. A method without such a callback
 * keeps its parameters and returns a Promise of what it returned.
 */
export type PromisedRpc<F> = F extends (...args: infer P) => infer Ret
  ? Required<P> extends [...infer A, infer Last]
    ? Last extends (error: any, response: infer R) => unknown
      ? {
          (...args: A): Promise<R>;
          (...args: [...A, options: ThriftCallOptions]): Promise<R>;
          (...args: [...A, callback: Last]): Promise<R>;
          (...args: [...A, options: ThriftCallOptions, callback: Last]): Promise<R>;
        }
      : WithCallOptions<P, Promise<Awaited<Ret>>>
    : WithCallOptions<P, Promise<Awaited<Ret>>>
  : F;

/** A method of parameters `P` returning `Ret`, also taking per-call options after them. */
type WithCallOptions<P extends unknown[], Ret> = {
  (...args: P): Ret;
  (...args: [...Required<P>, options: ThriftCallOptions]): Ret;
};

/**
 * What `wrapThriftClient` returns for a client of type `C`: every RPC method returns a Promise
 * (the generated callback overload still type-checks), and everything else is the client's own.
 * The Promise-returning signatures come first so that `client.ping().catch(...)` type-checks; the
 * intersection with `C` keeps the result usable wherever a `C` is expected.
 */
export type PromisedClient<C> = { [K in RpcMethodOf<C>]: PromisedRpc<C[K]> } & C;

/**
 * A Thrift connection as npm `thrift` makes it: `createConnection` (TCP, with a `connected` flag
 * and `close`/`connect`/`reconnecting` events) or `createHttpConnection` (no connection state; an
 * `error` per failed request). Only its events are used.
 */
export interface ThriftConnection {
  on(event: string, listener: (...args: any[]) => void): unknown;
  /** TCP connections only: true while the socket is connected. */
  readonly connected?: boolean;
}

/** Policies keyed by method name (typed from the client) and `'*'` (every method). */
export type ThriftMethodPolicies<C> = { [M in RpcMethodOf<C>]?: ThriftMethodPolicy } & {
  '*'?: ThriftMethodPolicy;
};

/** Options of `wrapThriftClient`. */
export interface ThriftBreakerOptions<C> {
  /**
   * The connection the client was created on (required). Pending calls fail at once when it
   * closes or errors, calls made while it is down are refused as transport failures instead of
   * being queued for a reconnect, and its `error` events never crash the process (npm thrift
   * emits `error` on a refused or dropped connection, which kills a process with no listener).
   * `null` opts out, for a client whose connection you watch yourself: every failure is then seen
   * through the call deadline only.
   */
  connection: ThriftConnection | null;
  /** Where circuits live; default: a private `CircuitRegistry` with default settings. */
  registry?: CircuitRegistry;
  /**
   * First part of circuit names, `${service}/${method}`. Default: the generated client class's
   * name without its `Client` suffix (`CatalogClient` → `Catalog`), or `thrift` when it has none.
   * Give it explicitly when two wrapped clients of the same service talk to different servers.
   */
  service?: string;
  /**
   * What the client talks to, so that clients of one service to different servers never share
   * circuits on one registry: `true` takes the connection's `host:port` (or the HTTP URL), a
   * string is a name of yours, `false` leaves it out. Circuits are named
   * `${target}/${service}/${method}` (`127.0.0.1:9090/Catalog/getItem`). Default: the
   * connection's `host:port` or URL (none with `connection: null`), so clients of different
   * servers never share a circuit unless given the same name.
   */
  target?: string | boolean;
  /** Policy of every method; the entries of `methods` are merged over it. */
  defaults?: ThriftMethodPolicy;
  /** Policies by method name, or `'*'`. The method's own entry is merged over `'*'`, then `defaults`. */
  methods?: ThriftMethodPolicies<C>;
}
