/**
 * Per-method runtime: the merged policy of a method path and the helpers built from it
 * (classifier, fallback, retry planner), made on the first call of the path and cached.
 */
import type { Clock } from '../core/clock.js';
import type { CircuitPolicy } from '../core/policy.js';
import type { Outcome } from '../core/types.js';
import type { CallContext } from '../classify/call-context.js';
import {
  createGrpcOutcomeClassifier,
  type GrpcOutcomeClassifier,
} from '../classify/grpc-outcome.js';
import { resolveMethodPolicy } from '../registry/method-policy.js';
import { methodKeys, type GrpcMethodPolicy, type ValidatedGrpcOptions } from './options.js';
import { createFallbackPort, type FallbackPort } from './fallback-port.js';
import { createRetryPort, type RetryPort } from './retry-port.js';
import { ConfigError } from '../core/errors.js';
import { withIdempotency } from './idempotency.js';
import { HedgePlanner } from '../retry/index.js';

/**
 * Deadline of a unary call that carries none and whose policy names no `timeoutMs`, ms (as the
 * Thrift wrapper's default). Streaming calls have no default deadline.
 */
export const DEFAULT_GRPC_UNARY_TIMEOUT_MS = 10_000;

/** What the interceptor knows about one method path. */
export interface MethodRuntime {
  /** `/pkg.Service/Method`. */
  readonly path: string;
  /** What the circuit name carries besides the path: the `target` option or the channel's. */
  readonly target: string | undefined;
  /** Name of the circuit guarding it. */
  readonly circuit: string;
  /** The merged policy. */
  readonly policy: GrpcMethodPolicy;
  /** The circuit part of the policy, handed to `registry.get`. */
  readonly circuitPolicy: CircuitPolicy | undefined;
  readonly classifier: GrpcOutcomeClassifier;
  /** How a plain OK counts (a success unless `failOn`/`ignore` list OK). */
  readonly okOutcome: Outcome;
  /** Deadline for calls that carry none, ms. */
  readonly timeoutMs: number | undefined;
  /** Fallback answers and the response cache, when configured. */
  readonly fallback: FallbackPort | undefined;
  /** Retries (unary calls only), when configured and the method does not hedge. */
  readonly retry: RetryPort | undefined;
  /** Hedging (unary calls only), when configured and the method is known to be idempotent. */
  readonly hedge: HedgePlanner | undefined;
}

/** Builds and caches `MethodRuntime`s by path (and channel target, when it names circuits). */
export class MethodRuntimes {
  private readonly byPath = new Map<string, MethodRuntime>();
  /** Runtimes by channel target, then path: only without a `target` option. */
  private readonly byChannel = new Map<string, Map<string, MethodRuntime>>();

  /** @param onCreate told of each runtime made (the interceptor describes its circuit) */
  constructor(
    private readonly options: ValidatedGrpcOptions,
    private readonly clock: Clock,
    private readonly onCreate?: (rt: MethodRuntime) => void,
  ) {}

  /**
   * The runtime of `path`, made on first use.
   * @param channelTarget the channel's target, learned from the call; it names the circuit when
   *   the interceptor was given no `target` of its own
   * @throws ConfigError when `circuitName(path, target)` does not return a non-empty string
   */
  get(path: string, channelTarget?: string): MethodRuntime {
    if (channelTarget === undefined || this.options.target !== undefined) {
      return this.byPath.get(path) ?? this.create(path, this.options.target, this.byPath);
    }
    let byPath = this.byChannel.get(channelTarget);
    if (!byPath) this.byChannel.set(channelTarget, (byPath = new Map()));
    return byPath.get(path) ?? this.create(path, channelTarget, byPath);
  }

  private create(
    path: string,
    target: string | undefined,
    cache: Map<string, MethodRuntime>,
  ): MethodRuntime {
    const { defaults, methods, circuitName, idempotency } = this.options;
    const merged = resolveMethodPolicy(methodKeys(path), defaults, methods);
    const policy = withIdempotency(merged, path, idempotency);
    const circuit = circuitName ? circuitName(path, target) : (target ?? '') + path;
    if (typeof circuit !== 'string' || circuit.length === 0) {
      throw new ConfigError(
        `circuitName(${JSON.stringify(path)})`,
        'must return a non-empty string',
        circuit,
      );
    }
    const classifier = createGrpcOutcomeClassifier(policy);
    // Only a method known to be idempotent hedges; hedging replaces retries (gRFC A6 has one or
    // the other per method).
    const hedge =
      policy.hedging && policy.idempotent === true
        ? new HedgePlanner(policy.hedging, this.clock)
        : undefined;
    const rt: MethodRuntime = Object.freeze({
      path,
      target,
      circuit,
      policy,
      circuitPolicy: policy.circuit,
      classifier,
      okOutcome: classifier.tableOutcome(0),
      timeoutMs: policy.timeoutMs,
      fallback: createFallbackPort(policy, path, this.clock),
      retry: hedge ? undefined : createRetryPort(policy, this.clock),
      hedge,
    });
    cache.set(path, rt);
    this.onCreate?.(rt);
    return rt;
  }
}

/** The `CallContext` of a call, for `classify` and value fallbacks. */
export function callContext(
  rt: MethodRuntime,
  request: unknown,
  metadata: Readonly<Record<string, string>>,
  attempt: number,
): CallContext {
  return Object.freeze({
    system: 'grpc',
    method: rt.path,
    circuit: rt.circuit,
    request,
    metadata,
    attempt,
  });
}
