/**
 * Whether the Redis store may use Redis right now, and every command it sends, under a timeout.
 *
 * Redis is "up" while the client is `ready` and nothing has shown otherwise. It goes down when
 * the client's connection closes, when one of the store's commands fails, or when one takes
 * longer than `timeoutMs`: a paused or overloaded server keeps the socket open, so only time
 * tells. While down, the store sends nothing (circuits run locally) and commands never pile up.
 * A client that is not ready yet counts as down; that is told (once) when an attempt fails.
 *
 * It comes back on the client's next `ready` (a reconnect) or, when the connection never dropped
 * (server paused, slow, or refusing a command), when a PING answers: one PING at a time, every
 * `RETRY_MS` while down. A PING sent to a paused server answers the moment it resumes, so the
 * store re-syncs at once. A quiet link is checked as well: a PING when nothing has answered for
 * `HEARTBEAT_MS`, so a paused server is noticed without traffic. One unref'd timer per store
 * does both. Going down again within `FLAP_MS` of coming back (e.g. an ACL that lets PING through
 * but refuses the scripts) doubles the PING period, up to `MAX_RETRY_MS`.
 */
import { timerDelayMs } from '../../core/timer-delay.js';
import { refreshTopology, usable } from './cluster-health.js';
import type { RedisClient } from './options.js';

const TICK_MS = 250;
const RETRY_MS = 250;
const HEARTBEAT_MS = 1_000;
const FLAP_MS = 2_000;
const MAX_RETRY_MS = 30_000;

/** Redis answered none of the store's commands for `timeoutMs`. */
export class RedisTimeoutError extends Error {
  /** Stable error code, `'REDIS_TIMEOUT'`. */
  readonly code = 'REDIS_TIMEOUT' as const;

  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/** What the link tells its store. */
export interface LinkEvents {
  /**
   * Redis is usable (again): the store re-syncs its circuits. `wasDown` is false after a
   * reconnect the link had not noticed as an outage.
   */
  up(wasDown: boolean): void;
  /** Redis is not usable; `error` is the failed command's error, absent when the connection closed. */
  down(error?: unknown): void;
}

/** Tracks whether Redis is usable and sends the store's commands under a timeout (see above). */
export class RedisLink {
  private isDown: boolean;
  /** Whether `down` was told since the last `up` (also for a Redis unreachable from the start). */
  private toldDown = false;
  private closed = false;
  private pinging = false;
  private lastAnswerAt = Date.now();
  private upSince = 0;
  private retryMs = RETRY_MS;
  private nextPingAt = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  // A Cluster is `ready` again with a master dead (e.g. after re-reading its slot map): check.
  private readonly onReady = () =>
    this.client.isCluster ? !this.pinging && this.ping(() => this.recovered()) : this.recovered();
  private readonly onClose = () => this.failed(undefined);

  /**
   * @param client the user's client; the link listens to its `ready`, `close` and `end` (never
   *   to `error`: a listener there would silence ioredis's "Unhandled error event" report)
   * @param timeoutMs how long a command may take before Redis counts as down, ms
   */
  constructor(
    private readonly client: RedisClient,
    private readonly timeoutMs: number,
    private readonly events: LinkEvents,
  ) {
    this.isDown = client.status !== 'ready';
    // A lazyConnect client connects on its first command; the store may send none before ready.
    if (client.status === 'wait') client.connect().catch(() => {});
    client.on('ready', this.onReady);
    client.on('close', this.onClose);
    client.on('end', this.onClose);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
  }

  /** Whether commands may be sent now. */
  get up(): boolean {
    return !this.isDown && !this.closed && this.client.status === 'ready';
  }

  /**
   * Sends one command when Redis is up; returns false, sending nothing, when it is not.
   * `answer` is called once: with the reply, or with `undefined` when the command failed or took
   * longer than `timeoutMs` (Redis then counts as down). A reply after that goes to `late`.
   */
  send<T>(
    command: () => Promise<T>,
    answer: (reply: T | undefined) => void,
    late?: (reply: T) => void,
  ): boolean {
    if (!this.up) return false;
    let answered = false;
    // Timers run before the event loop reads sockets: after a blocked loop, a reply that has
    // long arrived would look late. setImmediate lets pending I/O be read first.
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (answered) return;
          answered = true;
          this.failed(new RedisTimeoutError(this.timeoutMs));
          answer(undefined);
        }),
      timerDelayMs(this.timeoutMs),
    );
    timer.unref?.();
    command().then(
      (reply) => {
        clearTimeout(timer);
        this.lastAnswerAt = Date.now();
        if (answered) return late?.(reply);
        answered = true;
        answer(reply);
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.failed(error);
        if (answered) return;
        answered = true;
        answer(undefined);
      },
    );
    return true;
  }

  /** Stops listening to the client and stops the timer. */
  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.client.off('ready', this.onReady);
    this.client.off('close', this.onClose);
    this.client.off('end', this.onClose);
  }

  private failed(error: unknown): void {
    if (this.closed) return;
    refreshTopology(this.client);
    if (this.isDown) {
      // Down from the start (the client has not been ready yet): say so once.
      if (!this.toldDown) {
        this.toldDown = true;
        this.events.down(error);
      }
      return;
    }
    this.isDown = true;
    this.toldDown = true;
    const now = Date.now();
    this.retryMs =
      now - this.upSince < FLAP_MS ? Math.min(this.retryMs * 2, MAX_RETRY_MS) : RETRY_MS;
    this.nextPingAt = now + this.retryMs;
    this.events.down(error);
  }

  private recovered(): void {
    if (this.closed || this.client.status !== 'ready') return;
    this.lastAnswerAt = Date.now();
    const wasDown = this.isDown;
    this.isDown = this.toldDown = false;
    if (wasDown) this.upSince = Date.now();
    this.events.up(wasDown);
  }

  private tick(): void {
    if (this.closed || this.pinging || this.client.status !== 'ready') return;
    const now = Date.now();
    if (this.isDown) {
      if (now < this.nextPingAt) return;
      this.nextPingAt = now + this.retryMs;
      this.ping(() => this.recovered());
    } else if (now - this.lastAnswerAt >= HEARTBEAT_MS) {
      // Quiet: check that Redis still answers (send() times it out and reports it down).
      this.pinging = true;
      const sent = this.send(
        () => this.client.ping(),
        () => (this.pinging = false),
      );
      if (!sent) this.pinging = false;
    }
  }

  /**
   * A PING (on a Cluster also CLUSTER INFO, see cluster-health.ts) with no timeout of its own:
   * while down, its answer (however late) means up again.
   */
  private ping(then: () => void): void {
    this.pinging = true;
    usable(this.client, Math.max(this.timeoutMs, 1_000)).then(
      (ok) => {
        this.pinging = false;
        this.lastAnswerAt = Date.now();
        if (ok) then();
      },
      () => (this.pinging = false),
    );
  }
}
