/**
 * A guarded streaming call: server-streaming, client-streaming or bidi.
 *
 * A call with a streamed request is dispatched on `start` and its messages flow straight through;
 * a server-streaming call buffers its one request and is dispatched on `halfClose`, because a
 * fallback answer needs the request. There is one attempt (no retries: a stream may already have
 * done work). The outcome is recorded when the final status arrives, so a stream's slowness is
 * measured from start to end.
 *
 * Fallbacks (server-streaming only): a rejected call is answered from the cache or the fallback
 * value; a failed stream is answered by a fallback (`serveOn: 'open-or-failure'`) only if it has
 * not delivered a single message yet: replies are never spliced into a stream already under way.
 * While that is possible, response headers are held until the first message or the status. A
 * stream that ends OK is remembered in the cache as the list of its messages (at most
 * `MAX_CACHED_STREAM_MESSAGES`).
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
} from './call-types.js';
import { GuardedCall } from './guarded-call.js';

/** Longest server stream kept in the response cache; longer ones are not cached. */
export const MAX_CACHED_STREAM_MESSAGES = 1_000;

export class StreamCall extends GuardedCall implements ChainCall {
  private readonly requestStream: boolean;
  private readonly caching: boolean;
  private readonly holdHeaders: boolean;
  private dispatched = false;
  private halfClosed = false;
  private pendingReads = 0;
  private messageContext: MessageContext = {};

  constructor(env: CallEnv) {
    super(env);
    this.requestStream = env.options.method_definition.requestStream;
    const fallback = this.requestStream ? undefined : env.method.fallback;
    this.caching = fallback?.caches === true;
    this.holdHeaders = fallback?.onFailure === true;
  }

  start(metadata: Metadata, listener?: CallListener): void {
    this.requestMetadata = metadata;
    if (listener) this.listener = listener;
    if (this.requestStream) this.dispatch();
  }

  sendMessageWithContext(context: MessageContext, message: unknown): void {
    if (this.requestStream) {
      this.live?.sendMessageWithContext(context, message);
      return;
    }
    this.messageContext = context;
    this.request = message;
  }

  sendMessage(message: unknown): void {
    this.sendMessageWithContext({}, message);
  }

  halfClose(): void {
    if (this.requestStream) {
      this.live?.halfClose();
      return;
    }
    if (this.halfClosed || this.finished || this.cancelled) return;
    this.halfClosed = true;
    this.dispatch();
  }

  startRead(): void {
    if (this.live) this.live.startRead();
    else if (!this.dispatched) this.pendingReads++;
  }

  private dispatch(): void {
    const { registry, method, nextCall } = this.env;
    this.dispatched = true;
    const breaker = registry.get(method.circuit, method.circuitPolicy);
    const permit = breaker.tryAcquire();
    if (!permit) {
      const answer = this.rejection(breaker);
      if (method.fallback && !this.requestStream)
        this.serveFallback('open', breaker, 1, answer, true);
      else this.finishLater(answer);
      return;
    }
    const call = nextCall(this.callOptions);
    this.live = call;
    let held: Metadata | undefined;
    let delivered = 0;
    let keep: unknown[] | undefined = this.caching ? [] : undefined;
    const release = () => {
      if (held) this.listener.onReceiveMetadata?.(held);
      held = undefined;
    };
    call.start(this.requestMetadata!, {
      onReceiveMetadata: (md: Metadata) => {
        if (this.holdHeaders) held = md;
        else this.listener.onReceiveMetadata?.(md);
      },
      onReceiveMessage: (m: unknown) => {
        if (delivered++ === 0) release();
        if (keep) {
          if (keep.length < MAX_CACHED_STREAM_MESSAGES) keep.push(m);
          else keep = undefined;
        }
        this.listener.onReceiveMessage?.(m);
      },
      onReceiveStatus: (status: FinalStatus) => {
        if (this.live === call) this.live = undefined;
        this.settle(breaker, permit, status, delivered, held, keep);
      },
    });
    if (!this.requestStream) {
      call.sendMessageWithContext(this.messageContext, this.request);
      call.halfClose();
    }
    for (; this.pendingReads > 0; this.pendingReads--) call.startRead();
  }

  private settle(
    breaker: CircuitBreaker,
    permit: Permit,
    status: FinalStatus,
    delivered: number,
    held: Metadata | undefined,
    kept: unknown[] | undefined,
  ): void {
    const { method } = this.env;
    const outcome = method.classifier.judge(
      status,
      { cancelledByCaller: this.cancelled, ownDeadline: this.ownDeadline },
      () => this.context(1),
    );
    permit.record(outcome);
    const real = { headers: held, messages: [], status };
    if (status.code === OK) {
      if (kept) method.fallback!.remember(() => this.cacheKey(), kept);
      return this.finish(real);
    }
    if (outcome === 'failure' && !this.cancelled && delivered === 0 && this.holdHeaders) {
      return this.serveFallback('failure', breaker, 1, real, true);
    }
    this.finish(real);
  }
}
