/**
 * One attempt of a Thrift call, made to end no matter what the server or the connection does.
 *
 * The generated method is called as the user would call it (with a callback for `js:node`
 * output, for its Promise with `es6` output). It stores its reply handler in `client._reqs[seqid]`
 * and sets `client._seqid` before returning, so the attempt knows its slot. The attempt then ends
 * on the first of: the reply; its deadline, when the slot is deleted so that a late reply finds
 * no handler and is dropped by npm thrift; or a connection `close`/`error` reported by the watch.
 * A call made while the connection is down is not sent at all.
 *
 * An error thrown while the request is being written (a wrong argument type, a required field
 * left null) happens before anything reaches the server: it is marked `local` so that it does not
 * count against the circuit. The generated `send_*` deletes its slot when that happens, which is
 * how an `es6` method's (later) rejection is told apart from a reply. npm thrift leaves the half
 * written message in the transport's output buffer then, to be sent in front of the next call's
 * message — which makes the server drop the connection — so the attempt discards it.
 */
import { ThriftTimeoutError, ThriftTransportError } from '../classify/thrift-call-errors.js';
import { connectionFailure, type ConnectionWatch, type QueueMark } from './connection-watch.js';
import type { RpcMethod } from './rpc-methods.js';

/** How an attempt ended. */
export type AttemptResult =
  { ok: true; value: unknown } | { ok: false; error: unknown; local: boolean };

interface ClientInternals {
  _seqid?: unknown;
  _reqs?: Record<number, unknown>;
  /** TBufferedTransport / TFramedTransport: the message being written, not yet flushed. */
  output?: { outBuffers?: unknown; outCount?: unknown };
}

/**
 * Runs one attempt of `method` with `args` on `client`, ending within `timeoutMs`.
 * Never rejects: the outcome is in the result.
 */
export function runAttempt(
  client: object,
  method: RpcMethod,
  args: readonly unknown[],
  timeoutMs: number,
  watch: ConnectionWatch | undefined,
): Promise<AttemptResult> {
  if (watch?.isDown) {
    return Promise.resolve({
      ok: false,
      error: new ThriftTransportError(method.name, 'down'),
      local: false,
    });
  }
  return new Promise<AttemptResult>((resolve) => {
    new Attempt(client as ClientInternals, method, watch, resolve).start(args, timeoutMs);
  });
}

class Attempt {
  private done = false;
  private seqid: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private mark: QueueMark | undefined;
  private queued: unknown[] | undefined;
  /** The request was never written: the rejection to come is a local error. */
  private sendFailed = false;

  constructor(
    private readonly client: ClientInternals,
    private readonly method: RpcMethod,
    private readonly watch: ConnectionWatch | undefined,
    private readonly resolve: (r: AttemptResult) => void,
  ) {}

  start(args: readonly unknown[], timeoutMs: number): void {
    const { client, method, watch } = this;
    this.mark = watch?.markQueue();
    try {
      if (method.style === 'callback') {
        method.invoke.call(client, ...args, (err: unknown, value: unknown) =>
          this.reply(err, value),
        );
      } else {
        const p = method.invoke.apply(client, args as unknown[]) as Promise<unknown>;
        p.then(
          (value) => this.reply(null, value),
          (err: unknown) => this.reply(err ?? new Error(`${method.name} rejected`), undefined),
        );
      }
    } catch (error) {
      this.discardUnsent();
      this.finish({ ok: false, error, local: true });
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
    if (watch) {
      this.queued = watch.queuedSince(this.mark);
      watch.add(this);
    }
    this.timer = setTimeout(() => this.expire(timeoutMs), timeoutMs);
  }

  /** Drops what a failed `send_*` left in the transport's output buffer. */
  private discardUnsent(): void {
    const out = this.client.output;
    if (out && Array.isArray(out.outBuffers) && typeof out.outCount === 'number') {
      out.outBuffers = [];
      out.outCount = 0;
    }
  }

  private reply(err: unknown, value: unknown): void {
    if (err === null || err === undefined) this.finish({ ok: true, value });
    else this.finish({ ok: false, error: err, local: this.sendFailed });
  }

  private expire(timeoutMs: number): void {
    this.timer = undefined;
    this.abandon();
    this.finish({
      ok: false,
      error: new ThriftTimeoutError(this.method.name, timeoutMs),
      local: false,
    });
  }

  /** Called by the watch when the connection closes or errors while the call is pending. */
  failFromConnection(reason: 'closed' | 'error', cause: unknown): void {
    this.abandon();
    this.finish({
      ok: false,
      error: connectionFailure(this.method.name, reason, cause),
      local: false,
    });
  }

  /** Forgets the pending reply slot (a late reply is then dropped) and any queued request. */
  private abandon(): void {
    if (this.done) return;
    const reqs = this.client._reqs;
    if (reqs && this.seqid !== undefined) delete reqs[this.seqid];
    this.watch?.unqueue(this.mark, this.queued);
  }

  private finish(result: AttemptResult): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.watch?.delete(this);
    this.resolve(result);
  }
}
