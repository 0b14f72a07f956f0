/**
 * One attempt of a Thrift call, made to end no matter what the server or the connection does.
 *
 * The generated method is called as the user would call it (with a callback for `js:node`
 * output, for its Promise with `es6` output). It stores its reply handler in `client._reqs[seqid]`
 * and sets `client._seqid` before returning, so the attempt knows its slot. The attempt then ends
 * on the first of: the reply; its deadline (see deadlines.ts), when the slot is deleted so that a
 * late reply finds no handler and is dropped by npm thrift; or a connection `close`/`error`
 * reported by the watch. A call made while the connection is down is not sent at all. The end is
 * reported to the attempt's owner exactly once, possibly before `startAttempt` returns.
 *
 * An error thrown while the request is being written (a wrong argument type, a required field
 * left null) happens before anything reaches the server: it is marked `local` so that it does not
 * count against the circuit. The generated `send_*` deletes its slot when that happens, which is
 * how an `es6` method's (later) rejection is told apart from a reply. npm thrift leaves the half
 * written message in the transport's output buffer then, to be sent in front of the next call's
 * message — which makes the server drop the connection — so the attempt discards it.
 */
import { ThriftTimeoutError, ThriftTransportError } from '../classify/thrift-call-errors.js';
import {
  connectionFailure,
  type ConnectionWatch,
  type QueueMark,
  type WatchedCall,
} from './connection-watch.js';
import type { DeadlineList, DeadlineNode, Deadlines } from './deadlines.js';
import type { RpcMethod } from './rpc-methods.js';

/** Who learns how an attempt ended. */
export interface AttemptOwner {
  /**
   * Called once: `ok` with the reply, or not with the error (`local`: raised while writing the
   * request, before anything was sent).
   */
  attemptEnded(ok: boolean, valueOrError: unknown, local: boolean): void;
}

/** What the attempts of one wrapped client share. */
export interface AttemptEnv {
  readonly client: object;
  readonly watch: ConnectionWatch | undefined;
  readonly deadlines: Deadlines;
}

interface ClientInternals {
  _seqid?: unknown;
  _reqs?: Record<number, unknown>;
  /** TBufferedTransport / TFramedTransport: the message being written, not yet flushed. */
  output?: { outBuffers?: unknown; outCount?: unknown };
}

/** A running attempt, as its owner may end it early. */
export interface AttemptHandle {
  /**
   * Ends the attempt now as the caller's own doing: its reply slot is forgotten (a late reply is
   * dropped) and the owner learns of `reason` as a `local` end. A no-op once it has ended.
   */
  cancel(reason: unknown): void;
}

/**
 * Runs one attempt of `method` with `args`, ending within `timeoutMs`; tells `owner` how.
 * @returns a handle to cancel it, or undefined when it ended before returning
 */
export function startAttempt(
  env: AttemptEnv,
  method: RpcMethod,
  args: readonly unknown[],
  timeoutMs: number,
  owner: AttemptOwner,
): AttemptHandle | undefined {
  if (env.watch?.isDown) {
    owner.attemptEnded(false, new ThriftTransportError(method.name, 'down'), false);
    return undefined;
  }
  const attempt = new Attempt(env, method, owner, timeoutMs);
  attempt.start(args);
  return attempt;
}

class Attempt implements WatchedCall, DeadlineNode, AttemptHandle {
  private done = false;
  private seqid: number | undefined;
  private mark: QueueMark | undefined;
  private queued: unknown[] | undefined;
  /** The request was never written: the rejection to come is a local error. */
  private sendFailed = false;
  prevWatched: WatchedCall | undefined;
  nextWatched: WatchedCall | undefined;
  watch: ConnectionWatch | undefined;
  deadline = 0;
  prevDeadline: DeadlineNode | undefined;
  nextDeadline: DeadlineNode | undefined;
  deadlineList: DeadlineList | undefined;

  constructor(
    private readonly env: AttemptEnv,
    private readonly method: RpcMethod,
    private readonly owner: AttemptOwner,
    private readonly timeoutMs: number,
  ) {}

  start(args: readonly unknown[]): void {
    const { method, env } = this;
    const client = env.client as ClientInternals;
    this.mark = env.watch?.markQueue();
    try {
      if (method.style === 'callback') {
        method.invoke.call(client, ...args, (err: unknown, value: unknown) =>
          this.reply(err, value),
        );
      } else {
        (method.invoke.apply(client, args as unknown[]) as Promise<unknown>).then(
          (value) => this.reply(null, value),
          (err: unknown) => this.reply(err ?? new Error(`${method.name} rejected`), undefined),
        );
      }
    } catch (error) {
      this.discardUnsent();
      this.finish(false, error, true);
      return;
    }
    if (this.done) return; // a oneway call, answered while sending
    const seqid = client._seqid;
    this.seqid = typeof seqid === 'number' ? seqid : undefined;
    const reqs = client._reqs;
    if (!method.oneway && this.seqid !== undefined && reqs && !(this.seqid in reqs)) {
      this.sendFailed = true; // es6: send_* threw and removed the slot; its rejection follows
      this.discardUnsent();
      return;
    }
    if (env.watch) {
      this.queued = env.watch.queuedSince(this.mark);
      env.watch.add(this);
    }
    env.deadlines.add(this, this.timeoutMs);
  }

  /** Drops what a failed `send_*` left in the transport's output buffer. */
  private discardUnsent(): void {
    const out = (this.env.client as ClientInternals).output;
    if (out && Array.isArray(out.outBuffers) && typeof out.outCount === 'number') {
      out.outBuffers = [];
      out.outCount = 0;
    }
  }

  private reply(err: unknown, value: unknown): void {
    if (err === null || err === undefined) this.finish(true, value, false);
    else this.finish(false, err, this.sendFailed);
  }

  /** The deadline passed (called by the deadline list, which has already dropped the node). */
  expire(): void {
    this.abandon();
    this.finish(false, new ThriftTimeoutError(this.method.name, this.timeoutMs), false);
  }

  /** The connection closed or errored (called by the watch, which has already dropped it). */
  failFromConnection(reason: 'closed' | 'error', cause: unknown): void {
    this.abandon();
    this.finish(false, connectionFailure(this.method.name, reason, cause), false);
  }

  cancel(reason: unknown): void {
    this.abandon();
    this.finish(false, reason, true);
  }

  /** Forgets the pending reply slot (a late reply is then dropped) and any queued request. */
  private abandon(): void {
    if (this.done) return;
    const reqs = (this.env.client as ClientInternals)._reqs;
    if (reqs && this.seqid !== undefined) delete reqs[this.seqid];
    this.env.watch?.unqueue(this.mark, this.queued);
  }

  private finish(ok: boolean, valueOrError: unknown, local: boolean): void {
    if (this.done) return;
    this.done = true;
    this.deadlineList?.remove(this);
    this.watch?.delete(this);
    this.owner.attemptEnded(ok, valueOrError, local);
  }
}
