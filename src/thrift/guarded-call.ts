/**
 * One guarded Thrift call: circuit, deadline, retries and fallbacks around the attempts.
 *
 * Each attempt asks the circuit for a permit. A rejected first attempt is answered by the
 * fallback when there is one, else rejected with `CircuitOpenError`; nothing is sent. An attempt
 * reports its outcome when it ends (reply, deadline, connection failure), judged by the method's
 * classifier; an error raised while writing the request is the caller's and is ignored. A
 * failed attempt is retried when the retry policy and budget allow it, the delay fits before the
 * deadline and the circuit is not open; a retry the circuit rejects ends with the last real
 * failure (or a fallback). When retries stop, a fallback may answer (`serveOn:
 * 'open-or-failure'`), else the last real failure is passed on. The deadline (`timeoutMs`)
 * covers the whole call, retries and an async fallback included (one still pending at the
 * deadline ends the call with `ThriftTimeoutError`).
 *
 * The call is a small state machine driven by its attempts' callbacks and settling one Promise:
 * no async function, no Promise per attempt — on loopback a Thrift call costs ~30 µs of CPU and
 * the wrapper is meant to stay within a few percent of it.
 */
import type { CircuitBreaker } from '../core/circuit-breaker.js';
import type { Permit } from '../core/types.js';
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import type { CallContext } from '../classify/call-context.js';
import { deriveTextCacheKey, type FallbackServed } from '../fallback/index.js';
import { startAttempt, type AttemptEnv, type AttemptHandle, type AttemptOwner } from './attempt.js';
import type { ThriftCallOptions } from './call-options.js';
import { thriftCallContext, type MethodRuntime } from './method-runtime.js';
import { serializeArgs } from './args-key.js';
import { timerDelayMs } from '../core/timer-delay.js';
import { ThriftTimeoutError } from '../classify/thrift-call-errors.js';
import type { FallbackCall } from './fallback-port.js';
import { thriftFailureCategory } from '../classify/thrift-errors.js';

/**
 * Starts one attempt of a call somewhere other than `env.client` (the multi-host client picks a
 * host per attempt); same contract as `startAttempt`.
 */
export type AttemptStarter = (
  rt: MethodRuntime,
  args: readonly unknown[],
  timeoutMs: number,
  owner: AttemptOwner,
) => AttemptHandle | undefined;

/** What every call of one wrapped client shares. */
export interface ClientEnv extends AttemptEnv {
  readonly registry: CircuitRegistry;
  /** Where attempts go; default: `env.client` through `startAttempt`. */
  readonly start?: AttemptStarter;
}

/**
 * Runs a guarded call of `rt` with `args`; resolves with the reply or the fallback answer.
 * @param options the caller's own signal and deadline for this call, if any
 */
export function guardedCall(
  env: ClientEnv,
  rt: MethodRuntime,
  args: unknown[],
  options?: ThriftCallOptions,
): Promise<unknown> {
  return new ThriftCall(env, rt, args, options).run();
}

class ThriftCall implements FallbackCall, AttemptOwner {
  private attempt = 0;
  private key: string | undefined;
  private deadline = 0;
  private permit: Permit | undefined;
  private breaker: CircuitBreaker | undefined;
  private lastFailure: { error: unknown } | undefined;
  private settle!: { resolve: (value: unknown) => void; reject: (error: unknown) => void };
  private settled = false;
  /** Deadline of the whole call, ms: the caller's own or the method's. */
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  /** What a caller's abort must stop: the running attempt, or a retry delay or fallback timer. */
  private current: AttemptHandle | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly env: ClientEnv,
    private readonly rt: MethodRuntime,
    private readonly args: unknown[],
    options: ThriftCallOptions | undefined,
  ) {
    this.timeoutMs = options?.timeoutMs ?? rt.timeoutMs;
    this.signal = options?.signal;
  }

  /**
   * The response-cache key: a digest of the method and the canonical argument text.
   * Thrift calls carry no metadata, but their arguments may hold credentials (a token passed as
   * an argument): only the digest is kept.
   */
  cacheKey(): string {
    return (this.key ??= this.keyNow());
  }

  /** Whether the arguments still give the key they were sent with (checked after a retry). */
  requestUnchanged(): boolean {
    return this.attempt <= 1 || this.keyNow() === this.cacheKey();
  }

  private keyNow(): string {
    return deriveTextCacheKey(this.rt.rpc.name, serializeArgs(this.args));
  }

  callContext(): CallContext {
    return thriftCallContext(this.rt, this.args, Math.max(1, this.attempt));
  }

  run(): Promise<unknown> {
    const p = new Promise<unknown>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    const { signal } = this;
    if (signal) {
      // A call its caller has already given up on is not sent, and counts as nothing.
      if (signal.aborted) {
        this.reject(signal.reason);
        return p;
      }
      signal.addEventListener('abort', this.onAbort);
    }
    this.rt.retry?.onOriginalCall();
    // The key is the arguments as sent: a caller may change its objects while the call runs.
    if (this.rt.fallback?.caches) this.cacheKey();
    this.deadline = performance.now() + this.timeoutMs;
    this.next();
    return p;
  }

  private resolve(value: unknown): void {
    if (this.end()) this.settle.resolve(value);
  }

  private reject(error: unknown): void {
    if (this.end()) this.settle.reject(error);
  }

  /** Marks the call settled and lets go of the caller's signal; false if it already was. */
  private end(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }

  /**
   * The caller aborted: the running attempt ends as the caller's own doing (counted as nothing,
   * its late reply dropped); a retry delay or a pending fallback is cut short.
   */
  private readonly onAbort = (): void => {
    const reason = this.signal!.reason as unknown;
    if (this.current) this.current.cancel(reason);
    else this.reject(reason);
  };

  /** Starts the next attempt, or answers for the circuit when it rejects it. */
  private next(): void {
    const { env, rt } = this;
    this.attempt++;
    const breaker = env.registry.get(rt.circuit, rt.circuitPolicy);
    const permit = breaker.tryAcquire();
    if (!permit) {
      const error = this.lastFailure ? this.lastFailure.error : breaker.rejectionError();
      if (rt.fallback) this.answerFromFallback('open', error);
      else this.reject(error);
      return;
    }
    this.permit = permit;
    this.breaker = breaker;
    const remainingMs = Math.max(1, Math.ceil(this.deadline - performance.now()));
    const attempt = env.start
      ? env.start(rt, this.args, remainingMs, this)
      : startAttempt(env, rt.rpc, this.args, remainingMs, this);
    // The attempt may have ended already (a oneway reply, a connection that is down).
    if (this.permit === permit) this.current = attempt;
  }

  attemptEnded(ok: boolean, valueOrError: unknown, local: boolean): void {
    const { rt } = this;
    const permit = this.permit!;
    this.permit = undefined;
    this.current = undefined;
    if (ok) {
      permit.record('success');
      if (rt.fallback?.caches) rt.fallback.remember(this, valueOrError);
      this.resolve(valueOrError);
      return;
    }
    const outcome = local ? 'ignore' : rt.classifier.judge(valueOrError, () => this.callContext());
    permit.record(outcome, undefined, local ? undefined : thriftFailureCategory(valueOrError));
    if (outcome !== 'failure') return this.reject(valueOrError);
    this.lastFailure = { error: valueOrError };
    const state = this.breaker!.state;
    if (rt.retry && state !== 'open' && state !== 'forced-open') {
      const delay = rt.retry.nextDelay(this.attempt, this.deadline - performance.now());
      if (delay !== undefined) {
        if (delay > 0) this.timer = setTimeout(() => this.next(), timerDelayMs(delay));
        else this.next();
        return;
      }
    }
    if (rt.fallback?.onFailure) this.answerFromFallback('failure', valueOrError);
    else this.reject(valueOrError);
  }

  /** Answers from the fallback, counted on the registry, or rejects with `error`. */
  private answerFromFallback(reason: 'open' | 'failure', error: unknown): void {
    let served: FallbackServed | undefined | Promise<FallbackServed | undefined>;
    try {
      served = this.rt.fallback!.serve(reason, this, error);
    } catch (e) {
      return this.reject(e);
    }
    if (served instanceof Promise) {
      // The deadline covers the fallback too: one that never settles must not hang the call.
      // A caller's abort settles the call meanwhile; whatever the fallback gives later is dropped.
      this.timer = setTimeout(
        () => this.reject(new ThriftTimeoutError(this.rt.rpc.name, this.timeoutMs)),
        timerDelayMs(this.deadline - performance.now()),
      );
      served.then(
        (a) => {
          if (this.settled) return;
          if (a) this.served(a);
          else this.reject(error);
        },
        (e: unknown) => this.reject(e),
      );
    } else if (served) {
      this.served(served);
    } else {
      this.reject(error);
    }
  }

  private served(answer: FallbackServed): void {
    const { env, rt } = this;
    env.registry.recordFallback(rt.circuit, answer.kind, rt.rpc.name);
    this.resolve(answer.value);
  }
}
