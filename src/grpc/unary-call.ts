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
 * a fallback may answer (`serveOn: 'open-or-failure'`), else the last real failure is passed on.
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
  type ChainCall,
  type FinalStatus,
  type MessageContext,
  type SyntheticAnswer,
} from './call-types.js';
import { GuardedCall } from './guarded-call.js';

export class UnaryCall extends GuardedCall implements ChainCall {
  private messageContext: MessageContext = {};
  private attempt = 0;
  /** The last real failure, handed on when a retry is rejected by the circuit. */
  private lastFailure: SyntheticAnswer | undefined;
  private readonly holdHeaders: boolean;

  constructor(env: CallEnv) {
    super(env);
    this.holdHeaders = env.method.retry !== undefined || env.method.fallback?.onFailure === true;
  }

  start(metadata: Metadata, listener?: GuardedCall['listener']): void {
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
    this.dispatch();
  }

  startRead(): void {
    // The unary call below reads its one reply by itself.
  }

  private dispatch(): void {
    const { registry, method, nextCall } = this.env;
    this.attempt++;
    const breaker = registry.get(method.circuit, method.circuitPolicy);
    const permit = breaker.tryAcquire();
    if (!permit) {
      const answer = this.lastFailure ?? this.rejection(breaker);
      if (method.fallback) this.serveFallback('open', breaker, this.attempt, answer, false);
      else this.finishLater(answer);
      return;
    }
    const call = nextCall(this.callOptions);
    this.live = call;
    let headers: Metadata | undefined;
    let reply: unknown = null;
    call.start(this.requestMetadata!, {
      onReceiveMetadata: (md: Metadata) => {
        if (this.holdHeaders) headers = md;
        else this.listener.onReceiveMetadata?.(md);
      },
      onReceiveMessage: (m: unknown) => {
        // grpc-js hands over `null` before a failed status: that is not a reply.
        if (m !== null && m !== undefined) reply = m;
      },
      onReceiveStatus: (status: FinalStatus) => {
        if (this.live === call) this.live = undefined;
        this.settle(breaker, permit, status, { headers, messages: [reply], status });
      },
    });
    call.sendMessageWithContext(this.messageContext, this.request);
    call.halfClose();
  }

  private settle(
    breaker: CircuitBreaker,
    permit: Permit,
    status: FinalStatus,
    real: SyntheticAnswer,
  ): void {
    const { method } = this.env;
    const attempt = this.attempt;
    const outcome = method.classifier.judge(
      status,
      { cancelledByCaller: this.cancelled, ownDeadline: this.ownDeadline },
      () => this.context(attempt),
    );
    permit.record(outcome);
    if (status.code === OK) {
      const reply = real.messages[0];
      if (method.fallback?.caches && reply !== null)
        method.fallback.remember(() => this.cacheKey(), reply);
      return this.finish(real);
    }
    if (outcome !== 'failure' || this.cancelled) return this.finish(real);
    const retry = method.retry;
    const state = breaker.state;
    if (retry && state !== 'open' && state !== 'forced-open') {
      const delay = retry.nextDelay(attempt, this.remainingMs());
      if (delay !== undefined) {
        this.lastFailure = real;
        this.waitThen(delay, () => this.dispatch());
        return;
      }
    }
    if (method.fallback?.onFailure) this.serveFallback('failure', breaker, attempt, real, false);
    else this.finish(real);
  }
}
