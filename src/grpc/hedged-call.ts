/**
 * A hedged unary call (gRFC A6 hedging, for methods known to be idempotent): the first attempt
 * goes out at once; while no answer has come, a further attempt goes out after the method's
 * hedging delay (fixed, or a percentile of its recent latency), up to `maxAttempts`, each through
 * the circuit and paid from the hedging budget. The first attempt to answer — a reply, or a
 * status the method does not count as a failure — wins: its headers, message and status go to
 * the caller, and every other attempt is cancelled and counted as nothing. An attempt that fails
 * sends the next hedge at once instead of waiting out the delay (as A6 says); when every attempt
 * has failed and no more may be sent, the last failure (or a failure fallback) answers.
 *
 * Everything deferred here — the hedge timer, a hedge started from it — survives a closed
 * channel and a caller who gave up: a hedge that cannot be opened is simply not sent, and a
 * cancelled or finished call sends none.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { CircuitBreaker } from '../core/circuit-breaker.js';
import type { Permit } from '../core/types.js';
import type { HedgePlanner } from '../retry/index.js';
import {
  CANCELLED,
  OK,
  type CallEnv,
  type CallListener,
  type ChainCall,
  type FinalStatus,
  type MessageContext,
  type SyntheticAnswer,
} from './call-types.js';
import { timerDelayMs } from '../core/timer-delay.js';
import { GuardedCall } from './guarded-call.js';
import { retryMetadata } from './retry-rules.js';

export class HedgedUnaryCall extends GuardedCall implements ChainCall {
  /** Every attempt's headers are held: any of them may lose. */
  readonly holdHeaders = true;
  private messageContext: MessageContext = {};
  private readonly inFlight = new Set<HedgeAttempt>();
  private lastFailure: SyntheticAnswer | undefined;
  private hedgeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly hedge: HedgePlanner;

  constructor(env: CallEnv) {
    super(env);
    this.hedge = env.method.hedge!;
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
    this.hedge.onOriginalCall();
    this.prepareCache();
    this.launch(true);
  }

  startRead(): void {
    // Each unary attempt below reads its one reply by itself.
  }

  /** The caller cancels: every attempt in flight is cancelled and no hedge is sent. */
  override cancelWithStatus(code: number, details: string): void {
    this.stopHedging();
    if (this.finished || this.inFlight.size === 0) return super.cancelWithStatus(code, details);
    this.cancelled = true;
    for (const a of [...this.inFlight]) a.call.cancelWithStatus(code, details);
  }

  /** Sends attempt number `attempt + 1`; the first one answers for the circuit when rejected. */
  private launch(first: boolean): void {
    const { registry, method } = this.env;
    const breaker = registry.get(method.circuit, method.circuitPolicy);
    const permit = breaker.tryAcquire();
    if (!permit) {
      if (!first) return; // a hedge the circuit refuses is just not sent
      this.attempt++;
      const answer = this.rejection(breaker);
      if (method.fallback) this.serveFallback('open', breaker, answer, false);
      else this.finishLater(answer);
      return;
    }
    let call: ChainCall;
    try {
      call = this.open(permit);
    } catch (error) {
      // The first attempt runs inside the caller's own `client.Method()`, which throws as
      // grpc-js does without the interceptor. A hedge runs from a timer or a settled attempt,
      // where a throw would end the process: it is simply not sent.
      if (first) throw error;
      if (this.inFlight.size === 0) this.endAfterFailures();
      return;
    }
    this.attempt++;
    const metadata =
      this.attempt > 1 ? retryMetadata(this.requestMetadata!, this.attempt) : this.requestMetadata!;
    const a = new HedgeAttempt(this, call, breaker, permit, performance.now());
    this.inFlight.add(a);
    this.live = call;
    call.start(metadata, a);
    call.sendMessageWithContext(this.messageContext, this.request);
    call.halfClose();
    this.scheduleHedge(breaker);
  }

  /** Arms the timer of the next hedge, if one may still be sent and fits before the deadline. */
  private scheduleHedge(breaker: CircuitBreaker): void {
    this.stopHedging();
    if (this.attempt >= this.hedge.maxAttempts) return;
    const delay = this.hedge.delayMs();
    if (delay === undefined || delay >= this.remainingMs()) return;
    this.hedgeTimer = setTimeout(() => {
      this.hedgeTimer = undefined;
      this.hedgeNow(breaker);
    }, timerDelayMs(delay));
  }

  /** Sends the next hedge now, when the call still waits and budget and circuit allow it. */
  private hedgeNow(breaker: CircuitBreaker): boolean {
    if (this.finished || this.cancelled || this.attempt >= this.hedge.maxAttempts) return false;
    const state = breaker.state;
    if (state === 'open' || state === 'forced-open' || !this.hedge.tryHedge()) return false;
    const before = this.attempt;
    this.launch(false);
    return this.attempt > before;
  }

  private stopHedging(): void {
    if (this.hedgeTimer) clearTimeout(this.hedgeTimer);
    this.hedgeTimer = undefined;
  }

  /** An attempt ended: record it; the first answer wins, a failure hedges at once. */
  settle(a: HedgeAttempt, status: FinalStatus): void {
    this.inFlight.delete(a);
    if (this.live === a.call) this.live = [...this.inFlight].pop()?.call;
    if (a.lost) {
      a.permit.record('ignore'); // cancelled by us because another attempt won
      return;
    }
    const outcome = this.judge(status);
    a.permit.record(outcome);
    if (this.finished) return;
    const { method } = this.env;
    if (status.code === OK) {
      this.hedge.recordLatency(performance.now() - a.startedAt);
      if (method.fallback?.caches && a.reply !== null)
        method.fallback.rememberReply(this, a.reply, a.call);
      return this.win(a, status);
    }
    if (outcome !== 'failure' || this.cancelled) {
      if (this.inFlight.size === 0 || !this.cancelled) return this.win(a, status);
      return; // cancelled: the last attempt's status answers
    }
    this.lastFailure = { headers: a.headers, messages: [null], status };
    if (this.hedgeNow(a.breaker) || this.inFlight.size > 0) return;
    this.endAfterFailures();
  }

  /** Every attempt failed and no more may be sent. */
  private endAfterFailures(): void {
    this.stopHedging();
    const last = this.lastFailure;
    if (!last) return;
    const breaker = this.env.registry.get(this.env.method.circuit, this.env.method.circuitPolicy);
    if (this.env.method.fallback?.onFailure) this.serveFallback('failure', breaker, last, false);
    else this.finish(last);
  }

  /** Delivers attempt `a`'s own answer and cancels every other attempt. */
  private win(a: HedgeAttempt, status: FinalStatus): void {
    this.stopHedging();
    this.finished = true;
    this.stopWaiting();
    for (const other of this.inFlight) {
      other.lost = true;
      other.call.cancelWithStatus(CANCELLED, 'hedged attempt lost to a faster one');
    }
    const l = this.listener;
    if (a.headers) l.onReceiveMetadata?.(a.headers);
    l.onReceiveMessage?.(a.reply);
    l.onReceiveStatus?.(status);
  }
}

/** The listener of one attempt: keeps its headers and reply until the status. */
class HedgeAttempt {
  headers: Metadata | undefined = undefined;
  reply: unknown = null;
  /** Another attempt won; this one was cancelled by the call. */
  lost = false;

  constructor(
    private readonly owner: HedgedUnaryCall,
    readonly call: ChainCall,
    readonly breaker: CircuitBreaker,
    readonly permit: Permit,
    readonly startedAt: number,
  ) {}

  onReceiveMetadata(md: Metadata): void {
    this.headers = md;
  }

  onReceiveMessage(m: unknown): void {
    if (m !== null && m !== undefined) this.reply = m;
  }

  onReceiveStatus(status: FinalStatus): void {
    this.owner.settle(this, status);
  }
}
