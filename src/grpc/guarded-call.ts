/**
 * What every guarded call shares: the caller's listener, the one-time delivery of the final answer
 * (asynchronous for anything the interceptor makes up, so the caller's `metadata` and `status`
 * listeners are attached before it arrives), the caller's cancellation (a parent call's
 * included), the deadline (the caller's, a parent call's, or `timeoutMs`; see call-deadline.ts),
 * the call context and the fallback answers.
 *
 * A subclass runs the real attempts through `env.nextCall`; `nextCall` is never called for a call
 * the circuit rejects, so a short-circuited call opens no connection and leaks nothing.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CircuitBreaker } from '../core/circuit-breaker.js';
import type { Outcome, Permit } from '../core/types.js';
import type { CallContext } from '../classify/call-context.js';
import {
  CANCELLED,
  OK,
  deliver,
  type CallEnv,
  type CallListener,
  type ChainCall,
  type FinalStatus,
  type SyntheticAnswer,
} from './call-types.js';
import { callContext, DEFAULT_GRPC_UNARY_TIMEOUT_MS } from './method-runtime.js';
import { metadataFactoryOf, plainMetadata, type MetadataFactory } from './metadata.js';
import { fallbackAnswer, rejectionAnswer } from './synthetic-answers.js';
import { timerDelayMs } from '../core/timer-delay.js';
import { callDeadline, onParentCancelled } from './call-deadline.js';
import type { FallbackAnswer, FallbackCall } from './fallback-port.js';
import { captureReplyBytes } from './reply-bytes.js';

const DEADLINE_EXCEEDED = 4;

export abstract class GuardedCall implements FallbackCall {
  protected listener: CallListener = {};
  protected requestMetadata: Metadata | undefined;
  /** The request message (unary and server-streaming calls). */
  protected request: unknown = undefined;
  /** The attempt in flight, if any. */
  protected live: ChainCall | undefined;
  /** Attempts made so far (1 for the first). */
  protected attempt = 0;
  /** The caller cancelled the call. */
  protected cancelled = false;
  /** The final answer was delivered (or is scheduled): nothing else reaches the listener. */
  protected finished = false;
  /** Options for `nextCall`: the caller's, plus our deadline when it carried none. */
  protected readonly callOptions: CallEnv['options'];
  /** The deadline expiring is the interceptor's own doing (from `timeoutMs`). */
  protected readonly ownDeadline: boolean;
  /** The earliest deadline in force (the caller's, a parent call's or ours), epoch ms. */
  private readonly deadlineAtMs: number;
  /** Stops listening for the parent call's cancellation. */
  private stopParent: (() => void) | undefined;
  private pending: ReturnType<typeof setImmediate> | undefined;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;
  private makeMetadata: MetadataFactory | undefined;
  private cacheKeyMemo: string | undefined;

  constructor(protected readonly env: CallEnv) {
    // A unary call to a hung server would otherwise never end (grpc-js sets no deadline of its
    // own), and the circuit would never see a failure. Streams are often long-lived on purpose:
    // they get a deadline only when the policy names one.
    const def = env.options.method_definition;
    const timeoutMs =
      env.method.timeoutMs ??
      (def.requestStream || def.responseStream ? undefined : DEFAULT_GRPC_UNARY_TIMEOUT_MS);
    const deadline = callDeadline(env.options, timeoutMs);
    this.ownDeadline = deadline.own;
    this.callOptions = deadline.options;
    this.deadlineAtMs = deadline.atMs;
    if (env.options.parent) {
      this.stopParent = onParentCancelled(env.options, () =>
        this.cancelWithStatus(CANCELLED, 'Cancelled by parent call'),
      );
    }
  }

  getPeer(): string {
    return this.live?.getPeer() ?? 'unknown';
  }

  getAuthContext(): ReturnType<ChainCall['getAuthContext']> {
    return this.live?.getAuthContext() ?? null;
  }

  /**
   * The caller (or an interceptor above) cancels. A live attempt is cancelled and its status comes
   * back through the attempt's listener; otherwise the status is delivered here.
   */
  cancelWithStatus(code: number, details: string): void {
    if (this.finished) return;
    this.cancelled = true;
    if (this.live) {
      this.live.cancelWithStatus(code, details);
      return;
    }
    this.stopWaiting();
    this.finishLater({
      headers: undefined,
      messages: [],
      status: { code: code ?? CANCELLED, details, metadata: this.newMetadata() },
    });
  }

  /**
   * Creates the real call below (`nextCall`). If grpc-js throws (e.g. the client was closed), the
   * permit is released as ignored, so that a half-open probe slot or bulkhead slot is not lost.
   */
  protected open(permit: Permit): ChainCall {
    try {
      return this.env.nextCall(this.callOptions);
    } catch (e) {
      permit.record('ignore');
      throw e;
    }
  }

  /** Passes response headers on to the caller at once. */
  forwardHeaders(md: Metadata): void {
    if (!this.finished) this.listener.onReceiveMetadata?.(md);
  }

  /** Milliseconds left before the call's deadline (Infinity without one). */
  protected remainingMs(): number {
    return this.deadlineAtMs - Date.now();
  }

  /**
   * Outcome of an attempt that ended with `status`. A plain OK skips the classifier: `classify`
   * only judges failed calls.
   */
  protected judge(status: FinalStatus): Outcome {
    if (status.code === OK && !this.cancelled) return this.env.method.okOutcome;
    return this.env.method.classifier.judge(status, this.cancelled, this.ownDeadline, this);
  }

  /** Delivers the final answer now (from a network event, already asynchronous). */
  protected finish(answer: SyntheticAnswer): void {
    if (this.finished) return;
    this.finished = true;
    this.stopWaiting();
    deliver(this.listener, answer);
  }

  /** Delivers the final answer on a later turn of the event loop. */
  protected finishLater(answer: SyntheticAnswer): void {
    if (this.finished) return;
    this.stopWaiting();
    this.pending = setImmediate(() => {
      this.pending = undefined;
      this.finish(answer);
    });
  }

  /** Cancels whatever the call is waiting for (a scheduled answer, a retry delay, a deadline). */
  protected stopWaiting(): void {
    this.stopParent?.();
    this.stopParent = undefined;
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
  }

  /**
   * Runs `fn` after `ms` (a retry delay) unless the call is cancelled or ends first. A delay
   * beyond what a Node timer honours waits that long instead (see timer-delay.ts).
   */
  protected waitThen(ms: number, fn: () => void): void {
    this.waitTimer = setTimeout(() => {
      this.waitTimer = undefined;
      if (!this.finished) fn();
    }, timerDelayMs(ms));
  }

  /**
   * While the call waits on something of ours (a retry delay, a fallback function), its
   * deadline is still enforced: when it passes first, the call ends with DEADLINE_EXCEEDED. A
   * deadline further away than a Node timer can wait (a caller's deadline 30 days out) re-arms.
   */
  protected guardDeadline(): void {
    const left = this.remainingMs();
    if (!Number.isFinite(left)) return;
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = undefined;
      if (this.finished) return;
      if (this.remainingMs() > 0) this.guardDeadline();
      else this.onDeadlineWhileWaiting();
    }, timerDelayMs(left));
  }

  /** The deadline passed while no attempt was in flight. */
  protected onDeadlineWhileWaiting(): void {
    this.finish({
      headers: undefined,
      messages: [],
      status: {
        code: DEADLINE_EXCEEDED,
        details: 'Deadline exceeded',
        metadata: this.newMetadata(),
      },
    });
  }

  /** An empty `Metadata` of the caller's grpc-js copy. */
  protected newMetadata(): Metadata {
    if (!this.makeMetadata) {
      if (!this.requestMetadata) throw new Error('rpc-breaker: call used before start()');
      this.makeMetadata = metadataFactoryOf(this.requestMetadata);
    }
    return this.makeMetadata();
  }

  /** The context handed to `classify` and value fallbacks (for the current attempt). */
  callContext(): CallContext {
    const keys = this.env.method.fallback?.credentialKeySet;
    return callContext(
      this.env.method,
      this.request,
      plainMetadata(this.requestMetadata, keys ?? DEFAULT_HIDDEN),
      this.attempt,
    );
  }

  /**
   * Readies the response cache before the request goes down (a no-op for a method without one):
   * the key is derived from the request as it is now, and the reply's bytes will be noted.
   */
  protected prepareCache(): void {
    if (!this.env.method.fallback?.caches) return;
    this.cacheKey();
    captureReplyBytes(this.env.options.method_definition);
  }

  /** The response-cache key of this call, derived once (see `prepareCache`). */
  cacheKey(): string {
    this.cacheKeyMemo ??= this.keyNow();
    return this.cacheKeyMemo;
  }

  /** Whether the request would still give the key it was sent with (checked after a retry). */
  requestUnchanged(): boolean {
    return this.attempt <= 1 || this.keyNow() === this.cacheKey();
  }

  /** The method definition of the call. */
  get definition(): CallEnv['options']['method_definition'] {
    return this.env.options.method_definition;
  }

  private keyNow(): string {
    const { options, method } = this.env;
    return method.fallback!.keyOf(
      options.method_definition.requestSerialize(this.request),
      this.requestMetadata,
      options.credentials,
    );
  }

  /** The answer for a call the circuit rejected and no fallback served. */
  protected rejection(breaker: CircuitBreaker): SyntheticAnswer {
    return rejectionAnswer(breaker, () => this.newMetadata());
  }

  /**
   * Answers with a fallback when one applies, else with `otherwise`; always asynchronously.
   * @param reason `open`: the circuit rejected the call; `failure`: the call failed
   * @param asStream a server stream: an array value is sent as a sequence of messages
   */
  protected serveFallback(
    reason: 'open' | 'failure',
    breaker: CircuitBreaker,
    otherwise: SyntheticAnswer,
    asStream: boolean,
  ): void {
    const fallback = this.env.method.fallback;
    let found: FallbackAnswer | undefined | Promise<FallbackAnswer | undefined>;
    try {
      found = fallback?.serve(reason, this);
    } catch {
      found = undefined; // a throwing fallback function leaves the original answer standing
    }
    const answer = (f: FallbackAnswer | undefined): SyntheticAnswer => {
      if (!f) return otherwise;
      const { registry, method } = this.env;
      registry.recordFallback(method.circuit, f.kind, method.path);
      return fallbackAnswer(f, asStream, breaker, () => this.newMetadata());
    };
    if (!isPromise(found)) {
      this.finishLater(answer(found));
      return;
    }
    this.guardDeadline();
    // A cancellation or the deadline may have answered the caller meanwhile.
    found.then(
      (f) => {
        if (!this.cancelled) this.finish(answer(f));
      },
      () => {
        if (!this.cancelled) this.finish(otherwise);
      },
    );
  }
}

/** Metadata keys never shown to policy callbacks, when the method has no fallback settings. */
const DEFAULT_HIDDEN: ReadonlySet<string> = new Set(['authorization', 'cookie', 'x-api-key']);

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function';
}
