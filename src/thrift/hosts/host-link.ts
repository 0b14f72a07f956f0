/**
 * One host of the multi-host client: its connection, the generated client on it, the watch that
 * fails its pending calls when it drops, and reconnection with backoff.
 *
 * npm thrift reconnects a TCP connection only when made with `max_attempts` (and never a TLS
 * one), so a restarted server would never be reached again: here a closed or refused connection
 * is replaced by a new one (and a new client: replies go to the last client made on a
 * connection) after a delay growing from `initialDelayMs` by `multiplier` up to `maxDelayMs`,
 * with jitter; a successful connect resets it. While a host is down the round robin skips it,
 * and a call sent to it anyway is refused at once (the watch), never queued. The reconnect timer
 * is the only timer and is unref'd. An HTTP host has no connection state: every request is its
 * own, so it is never down and never reconnects.
 */
import { ConnectionWatch } from '../connection-watch.js';
import type { AttemptEnv } from '../attempt.js';
import type { Deadlines } from '../deadlines.js';
import { timerDelayMs } from '../../core/timer-delay.js';
import type { EjectionTarget } from '../../registry/endpoint-book.js';
import type { ThriftConnection } from '../types.js';
import type { HostAddress } from './host-address.js';
import type { ValidatedHostsOptions } from './host-options.js';

/** The parts of npm `thrift` the multi-host client uses (the user's own copy is passed in). */
export interface ThriftModule {
  createConnection(host: string, port: number, options?: object): ThriftConnection;
  createClient(service: any, connection: any): object;
  createHttpConnection?(host: string, port: number, options?: object): ThriftConnection;
  createHttpClient?(service: any, connection: any): object;
}

/** What every host of one client shares. */
export interface LinkContext {
  readonly thrift: ThriftModule;
  readonly service: unknown;
  readonly options: ValidatedHostsOptions;
  readonly deadlines: Deadlines;
  readonly random: () => number;
}

/** `host:port`, or for HTTP `http(s)://host:port/path` (a path of `/` left out). */
export function hostTarget(address: HostAddress, options: ValidatedHostsOptions): string {
  const { http } = options;
  if (!http) return address.key;
  const path = http.path === '/' ? '' : http.path;
  return `${http.https ? 'https' : 'http'}://${address.key}${path}`;
}

interface Closable {
  end?(): void;
}

export class HostLink implements EjectionTarget {
  /** Taken out of the round robin by its circuit (the ejection cap applied). */
  ejected = false;
  /** Calls sent to it and not ended. */
  inFlight = 0;
  /** Removed from the host list: gets no new calls, closes once its calls have ended. */
  retired = false;
  /** Where its attempts go: the current client and watch. */
  env!: AttemptEnv;
  private connection!: ThriftConnection;
  private closed = false;
  private failedConnects = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly address: HostAddress,
    private readonly ctx: LinkContext,
  ) {
    this.connect();
  }

  /**
   * Whether calls can be sent now: a TCP connection that has connected (not one still
   * connecting or reconnecting), or HTTP.
   */
  get up(): boolean {
    if (this.closed) return false;
    if (this.ctx.options.http) return true;
    return (this.connection as { connected?: unknown }).connected === true;
  }

  /** What the host is called in circuit names and `hosts()`: `host:port`, or its HTTP URL. */
  get target(): string {
    return hostTarget(this.address, this.ctx.options);
  }

  setEjected(ejected: boolean): void {
    this.ejected = ejected;
  }

  /** One of its calls ended. */
  callEnded(): void {
    this.inFlight--;
    if (this.retired && this.inFlight === 0) this.close();
  }

  /** Leaves the host list: closes now, or when the calls in flight have ended. */
  retire(): void {
    this.retired = true;
    if (this.inFlight === 0) this.close();
  }

  /** Closes the connection for good and stops reconnecting. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      (this.connection as Closable).end?.();
    } catch {
      // A connection that cannot even be ended is gone already.
    }
  }

  private connect(): void {
    const { thrift, service, options } = this.ctx;
    const { host, port } = this.address;
    const classes = {
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.protocol ? { protocol: options.protocol } : {}),
    };
    let connection: ThriftConnection;
    let client: object;
    if (options.http) {
      const { path, https, headers } = options.http;
      connection = thrift.createHttpConnection!(host, port, { ...classes, path, https, headers });
      client = thrift.createHttpClient!(service, connection);
    } else {
      connection = thrift.createConnection(host, port, classes);
      client = thrift.createClient(service, connection);
      connection.on('connect', () => {
        if (connection === this.connection) this.failedConnects = 0;
      });
      connection.on('close', () => this.lost(connection));
    }
    this.connection = connection;
    // The watch listens for 'error' first thing: a refused connection never crashes the process.
    this.env = { client, watch: new ConnectionWatch(connection), deadlines: this.ctx.deadlines };
  }

  private lost(connection: ThriftConnection): void {
    if (connection !== this.connection || this.closed || this.timer) return;
    const { initialDelayMs, maxDelayMs, multiplier, jitter } = this.ctx.options.reconnect;
    const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** this.failedConnects++);
    const delay = base * (1 - jitter + 2 * jitter * this.ctx.random());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.connect();
    }, timerDelayMs(delay));
    this.timer.unref();
  }
}
