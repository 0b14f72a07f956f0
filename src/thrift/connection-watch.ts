/**
 * Watches a Thrift connection for the events that leave calls hanging forever in npm `thrift`:
 * an `error` (refused, reset, HTTP status other than 200, an undecodable reply) and a `close`
 * (or `reconnecting`, which replaces `close` when reconnects are configured). Either fails every
 * call pending on the connection at once; a closed or reconnecting TCP connection is "down" until
 * it emits `connect`, and calls made meanwhile are refused instead of being queued by npm thrift
 * and sent after a reconnect, long after their caller gave up.
 *
 * A framed connection is also guarded against frame lengths out of range (frame-guard.ts): such a
 * frame fails every pending call as a transport failure and drops the connection.
 *
 * The watch always has an `error` listener, so a connection error never crashes the process. An
 * HTTP connection has no connection state (each call is its own request): it is never down, and
 * since its `error` event does not say which request failed, every pending call fails with it.
 */
import { ThriftTransportError } from '../classify/thrift-call-errors.js';
import { thriftFailureCategory } from '../classify/thrift-errors.js';
import type { ThriftConnection } from './types.js';
import { guardFramedConnection, isThriftFrameError } from './frame-guard.js';

/**
 * A call the watch can fail. The watch threads its pending calls into a doubly-linked list
 * through these fields, so adding and removing one is O(1) and allocates nothing.
 */
export interface WatchedCall {
  prevWatched: WatchedCall | undefined;
  nextWatched: WatchedCall | undefined;
  /** The watch holding the call, while it is pending. */
  watch: ConnectionWatch | undefined;
  /** Fails the call (no-op when it has settled). */
  failFromConnection(reason: 'closed' | 'error', cause: unknown): void;
}

interface TcpInternals {
  connected?: unknown;
  connection?: { connecting?: unknown; destroyed?: unknown };
  offline_queue?: unknown;
}

/** Buffers a call added to npm thrift's offline queue, to take them out if the call ends first. */
export interface QueueMark {
  readonly queue: unknown[];
  readonly length: number;
}

export class ConnectionWatch {
  private head: WatchedCall | undefined;
  private count = 0;
  private down: boolean;
  private readonly internals: TcpInternals;

  constructor(connection: ThriftConnection) {
    this.internals = connection as TcpInternals;
    const stateful = typeof this.internals.connected === 'boolean';
    // A TCP connection that is still making its first connect queues calls legitimately.
    this.down =
      stateful &&
      this.internals.connected !== true &&
      this.internals.connection?.connecting !== true;
    connection.on('error', (err: unknown) => {
      if (stateful && (isThriftFrameError(err) || thriftFailureCategory(err) === 'transport'))
        this.down = true;
      this.failAll('error', err);
    });
    connection.on('close', () => {
      this.down = true;
      this.failAll('closed', undefined);
    });
    connection.on('reconnecting', () => {
      this.down = true;
      this.failAll('closed', undefined);
    });
    connection.on('connect', () => {
      this.down = false;
    });
    // After the `error` listener above: a bad frame is reported as an `error` event.
    guardFramedConnection(connection);
  }

  /** True while a TCP connection is closed or reconnecting: calls must not be sent. */
  get isDown(): boolean {
    return this.down;
  }

  /** Number of calls pending on the connection. */
  get size(): number {
    return this.count;
  }

  add(call: WatchedCall): void {
    call.watch = this;
    call.prevWatched = undefined;
    call.nextWatched = this.head;
    if (this.head) this.head.prevWatched = call;
    this.head = call;
    this.count++;
  }

  /** Removes `call` (a no-op when this watch does not hold it). */
  delete(call: WatchedCall): void {
    if (call.watch !== this) return;
    const { prevWatched: prev, nextWatched: next } = call;
    if (prev) prev.nextWatched = next;
    else this.head = next;
    if (next) next.prevWatched = prev;
    call.prevWatched = call.nextWatched = call.watch = undefined;
    this.count--;
  }

  /** Where npm thrift's offline queue stands before a call is made (TCP connections only). */
  markQueue(): QueueMark | undefined {
    const queue = this.internals.offline_queue;
    return Array.isArray(queue) ? { queue, length: queue.length } : undefined;
  }

  /**
   * Takes the buffers a call queued after `mark` back out of the offline queue, so that a call
   * that already failed or timed out is not sent after a reconnect.
   */
  unqueue(mark: QueueMark | undefined, queued: readonly unknown[] | undefined): void {
    if (!mark || !queued || queued.length === 0) return;
    const queue = this.internals.offline_queue;
    if (!Array.isArray(queue)) return;
    for (const buf of queued) {
      const i = queue.indexOf(buf);
      if (i >= 0) queue.splice(i, 1);
    }
  }

  /** The buffers queued since `mark` (none when the call was written to the socket). */
  queuedSince(mark: QueueMark | undefined): unknown[] | undefined {
    if (!mark || this.internals.offline_queue !== mark.queue) return undefined;
    return mark.queue.length > mark.length ? mark.queue.slice(mark.length) : undefined;
  }

  private failAll(reason: 'closed' | 'error', cause: unknown): void {
    const calls: WatchedCall[] = [];
    for (let c = this.head; c; c = c.nextWatched) calls.push(c);
    for (const c of calls) {
      this.delete(c);
      c.failFromConnection(reason, cause);
    }
  }
}

/**
 * The error a pending call fails with when its connection closes or errors: a
 * `ThriftTransportError` for transport trouble, or the connection's own error when it is of
 * another kind (an undecodable reply is a protocol error, not a transport one).
 */
export function connectionFailure(
  method: string,
  reason: 'closed' | 'error',
  cause: unknown,
): unknown {
  if (
    reason === 'error' &&
    cause !== undefined &&
    !isThriftFrameError(cause) &&
    thriftFailureCategory(cause) !== 'transport'
  ) {
    return cause;
  }
  return new ThriftTransportError(method, reason, cause);
}
