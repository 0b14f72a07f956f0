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
import { grpcStatusName } from '../classify/grpc-status.js';
import { takeReplyBytes } from './reply-bytes.js';

/** Longest server stream kept in the response cache; longer ones are not cached. */
export const MAX_CACHED_STREAM_MESSAGES = 1_000;

export class StreamCall extends GuardedCall implements ChainCall {
  private readonly requestStream: boolean;
  /** Successful streams are kept in the response cache. */
  readonly caching: boolean;
  /** Headers are held until the first message (a failure fallback is possible). */
  readonly holdHeaders: boolean;
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
      if (this.live) this.live.sendMessageWithContext(context, message);
      // A message for a rejected or ended call goes nowhere; its write callback still runs, so
      // the caller's writable stream does not stall.
      else context.callback?.();
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
    this.prepareCache();
    this.dispatch();
  }

  startRead(): void {
    if (this.live) this.live.startRead();
    else if (!this.dispatched) this.pendingReads++;
  }

  private dispatch(): void {
    const { registry, method } = this.env;
    this.dispatched = true;
    this.attempt = 1;
    const breaker = registry.get(method.circuit, method.circuitPolicy);
    const permit = breaker.tryAcquire();
    if (!permit) {
      const answer = this.rejection(breaker);
      if (method.fallback && !this.requestStream) this.serveFallback('open', breaker, answer, true);
      else this.finishLater(answer);
      return;
    }
    const call = this.open(permit);
    this.live = call;
    call.start(this.requestMetadata!, new StreamAttempt(this, call, breaker, permit));
    if (!this.requestStream) {
      call.sendMessageWithContext(this.messageContext, this.request);
      call.halfClose();
    }
    for (; this.pendingReads > 0; this.pendingReads--) call.startRead();
  }

  /** Passes a response message on to the caller. */
  forwardMessage(m: unknown): void {
    if (!this.finished) this.listener.onReceiveMessage?.(m);
  }

  /** The stream ended: record it, then pass the status on or fall back. */
  settle(a: StreamAttempt, status: FinalStatus): void {
    if (this.live === a.call) this.live = undefined;
    const { method } = this.env;
    const outcome = this.judge(status);
    a.permit.record(
      outcome,
      undefined,
      status.code === OK ? undefined : grpcStatusName(status.code),
    );
    const real = { headers: a.held, messages: [], status };
    if (status.code === OK) {
      if (a.kept) method.fallback!.rememberStream(this, a.kept, a.call);
      return this.finish(real);
    }
    if (outcome === 'failure' && !this.cancelled && a.delivered === 0 && this.holdHeaders) {
      return this.serveFallback('failure', a.breaker, real, true);
    }
    this.finish(real);
  }
}

/** The listener of the stream's attempt. */
class StreamAttempt {
  /** Headers held until the first message or the status. */
  held: Metadata | undefined = undefined;
  /** Messages delivered to the caller. */
  delivered = 0;
  /**
   * Bytes of the messages kept for the cache (undefined when not caching, the stream got too long
   * or a message's bytes were not seen).
   */
  kept: Buffer[] | undefined;

  constructor(
    private readonly owner: StreamCall,
    readonly call: ChainCall,
    readonly breaker: CircuitBreaker,
    readonly permit: Permit,
  ) {
    this.kept = owner.caching ? [] : undefined;
  }

  onReceiveMetadata(md: Metadata): void {
    if (this.owner.holdHeaders) this.held = md;
    else this.owner.forwardHeaders(md);
  }

  onReceiveMessage(m: unknown): void {
    if (this.delivered++ === 0 && this.held) {
      this.owner.forwardHeaders(this.held);
      this.held = undefined;
    }
    if (this.kept) {
      const bytes = this.kept.length < MAX_CACHED_STREAM_MESSAGES ? takeReplyBytes(m) : undefined;
      if (bytes) this.kept.push(bytes);
      else this.kept = undefined;
    }
    this.owner.forwardMessage(m);
  }

  onReceiveStatus(status: FinalStatus): void {
    this.owner.settle(this, status);
  }
}
