/**
 * A guarded unary call.
 *
 * The request is buffered: grpc-js hands it over with `start`, `sendMessage` and `halfClose` in
 * one go, and the call is dispatched on `halfClose`. Each attempt asks the circuit for a permit;
 * a rejected first attempt is answered without `nextCall` (fallback, or UNAVAILABLE with the
 * circuit's metadata). An attempt reports its outcome when its status arrives, measured from
 * dispatch to status. A failed attempt is retried when the retry policy and budget allow it, the
 * delay fits before the deadline and the circuit is not open; every retry goes through the circuit
 * again, re-sending the buffered request with the same options and metadata. When retries stop,
 * a fallback may answer (`serveOn: 'open-or-failure'`), else the last real failure is passed on;
 * a retry the circuit rejects also ends with the last real failure (or a fallback), and so does a
 * retry that cannot be made because the client was closed while it waited.
 *
 * While retries or failure fallbacks are possible, response headers are held until the status
 * says whether this attempt's answer is the one the caller gets.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CircuitBreaker } from '../core/circuit-breaker.js';
import type { Permit } from '../core/types.js';
import {
  OK,
  type CallEnv,
  type CallListener,
  type ChainCall,
  type FinalStatus,
  type MessageContext,
  type SyntheticAnswer,
} from './call-types.js';
import { GuardedCall } from './guarded-call.js';
import { grpcStatusName } from '../classify/grpc-status.js';
import { readPushback, retryMetadata } from './retry-rules.js';

export class UnaryCall extends GuardedCall implements ChainCall {
  private messageContext: MessageContext = {};
  /** The last real failure, handed on when a retry is rejected by the circuit. */
  private lastFailure: SyntheticAnswer | undefined;
  /** Headers are held until the status (retries or failure fallbacks are possible). */
  readonly holdHeaders: boolean;

  constructor(env: CallEnv) {
    super(env);
    this.holdHeaders = env.method.retry !== undefined || env.method.fallback?.onFailure === true;
  }

  start(metadata: Metadata, listener?: CallListener): void {
    this.requestMetadata = metadata;
    if (listener) this.listener = listener;
  }

  sendMessageWithContext(context: MessageContext, message: unknown): void {
    this.messageContext = context;
    this.request = message;
  }

  sendMessage(message: unknown): void {
    this.sendMessageWithContext({}, message);
  }

  halfClose(): void {
    if (this.attempt > 0 || this.finished || this.cancelled) return;
    this.env.method.retry?.onOriginalCall();
    this.prepareCache();
    this.dispatch();
  }

  startRead(): void {
    // The unary call below reads its one reply by itself.
  }

  /** Starts the next attempt, or answers for the circuit when it rejects it. */
  dispatch(): void {
    const { registry, method } = this.env;
    this.attempt++;
    const breaker = registry.get(method.circuit, method.circuitPolicy);
    const permit = breaker.tryAcquire();
    if (!permit) {
      const answer = this.lastFailure ?? this.rejection(breaker);
      if (method.fallback) this.serveFallback('open', breaker, answer, false);
      else this.finishLater(answer);
      return;
    }
    let call: ChainCall;
    try {
      call = this.open(permit);
    } catch (error) {
      // The first attempt runs inside the caller's own `client.Method()`, which throws as grpc-js
      // does without the interceptor. A retry runs from a timer, where a throw would end the
      // process: the client was closed while the retry waited, so the call ends as if retries
      // had stopped.
      if (!this.lastFailure) throw error;
      return this.giveUp(breaker, this.lastFailure);
    }
    this.live = call;
    const metadata =
      this.attempt > 1 ? retryMetadata(this.requestMetadata!, this.attempt) : this.requestMetadata!;
    call.start(metadata, new UnaryAttempt(this, call, breaker, permit));
    call.sendMessageWithContext(this.messageContext, this.request);
    call.halfClose();
  }

  /** An attempt ended: record it, then answer, retry or fall back. */
  settle(a: UnaryAttempt, status: FinalStatus): void {
    if (this.live === a.call) this.live = undefined;
    const { method } = this.env;
    const outcome = this.judge(status);
    a.permit.record(
      outcome,
      undefined,
      status.code === OK ? undefined : grpcStatusName(status.code),
    );
    if (status.code === OK) {
      if (method.fallback?.caches && a.reply !== null)
        method.fallback.rememberReply(this, a.reply, a.call);
      return this.deliverReal(a, status);
    }
    if (outcome !== 'failure' || this.cancelled) return this.deliverReal(a, status);
    const real: SyntheticAnswer = { headers: a.headers, messages: [null], status };
    const state = a.breaker.state;
    const pushback = readPushback(status.metadata);
    if (method.retry && state !== 'open' && state !== 'forced-open' && pushback.kind !== 'stop') {
      const delay = method.retry.nextDelay(
        this.attempt,
        this.remainingMs(),
        pushback.kind === 'delay' ? pushback.ms : undefined,
      );
      if (delay !== undefined) {
        this.lastFailure = real;
        this.waitThen(delay, () => this.dispatch());
        return;
      }
    }
    this.giveUp(a.breaker, real);
  }

  /** No more attempts: a failure fallback answers when there is one, else the last failure. */
  private giveUp(breaker: CircuitBreaker, real: SyntheticAnswer): void {
    if (this.env.method.fallback?.onFailure) this.serveFallback('failure', breaker, real, false);
    else this.finish(real);
  }

  /** Passes an attempt's own answer on, as grpc-js delivered it (`null` when no reply came). */
  private deliverReal(a: UnaryAttempt, status: FinalStatus): void {
    if (this.finished) return;
    this.finished = true;
    this.stopWaiting();
    const l = this.listener;
    if (a.headers) l.onReceiveMetadata?.(a.headers);
    l.onReceiveMessage?.(a.reply);
    l.onReceiveStatus?.(status);
  }
}

/** The listener of one attempt: keeps its headers (when held) and reply until the status. */
class UnaryAttempt {
  headers: Metadata | undefined = undefined;
  reply: unknown = null;

  constructor(
    private readonly owner: UnaryCall,
    readonly call: ChainCall,
    readonly breaker: CircuitBreaker,
    readonly permit: Permit,
  ) {}

  onReceiveMetadata(md: Metadata): void {
    if (this.owner.holdHeaders) this.headers = md;
    else this.owner.forwardHeaders(md);
  }

  onReceiveMessage(m: unknown): void {
    // grpc-js hands over `null` before a failed status: that is not a reply.
    if (m !== null && m !== undefined) this.reply = m;
  }

  onReceiveStatus(status: FinalStatus): void {
    this.owner.settle(this, status);
  }
}
