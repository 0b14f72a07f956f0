/**
 * A real grpc-js server on 127.0.0.1:0 whose behaviour tests switch at will: answer, fail with a
 * status, hang, answer slowly, or (streams) fail after some replies. It counts the calls that
 * reached it per method, so tests can assert how many calls the breaker let through.
 */
import * as grpc from '@grpc/grpc-js';
import { services, type EchoReply, type EchoRequest, type Item } from './services.js';

/** What the server does with a call. */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'fail'; code: grpc.status; details?: string }
  | { kind: 'hang' }
  | { kind: 'slow'; ms: number }
  /** Streams: send `after` replies, then fail with `code` (unary methods just fail). */
  | { kind: 'fail-after'; after: number; code: grpc.status }
  /** The next `times` calls (per method) fail with `code`, later ones succeed. */
  | { kind: 'flaky'; times: number; code: grpc.status };

/** Shorthands for behaviours. */
export const ok: Behaviour = { kind: 'ok' };
export const hang: Behaviour = { kind: 'hang' };
export const fail = (code: grpc.status, details = 'injected failure'): Behaviour => ({
  kind: 'fail',
  code,
  details,
});
export const slow = (ms: number): Behaviour => ({ kind: 'slow', ms });

type AnyCall = grpc.ServerUnaryCall<any, any> | grpc.ServerWritableStream<any, any>;

export class TestServer {
  /** Calls that reached the server, per short method name (`Say`, `GetItem`, ...). */
  readonly calls = new Map<string, number>();
  /** When each call arrived (Date.now()), in order. */
  readonly arrivals: number[] = [];
  /** Metadata of the last call per method, for assertions on what was sent. */
  readonly lastMetadata = new Map<string, grpc.Metadata>();
  private readonly server = new grpc.Server();
  private readonly perMethod = new Map<string, Behaviour>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private behaviour: Behaviour = ok;
  private readonly flakyFailures = new Map<string, number>();
  private closed = false;

  private constructor(
    /** Name put in every reply's `server` field and `x-server` metadata. */
    readonly id: string,
    private portNumber = 0,
  ) {}

  /**
   * Starts a server on 127.0.0.1 (port 0 = any free port).
   * @param addServices adds more services before the server binds (e.g. grpc.health.v1)
   */
  static async start(
    id = 'server-1',
    port = 0,
    addServices?: (server: grpc.Server) => void,
  ): Promise<TestServer> {
    const s = new TestServer(id, port);
    s.register();
    addServices?.(s.server);
    s.portNumber = await new Promise<number>((resolve, reject) => {
      s.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      );
    });
    return s;
  }

  /** The port the server listens on. */
  get port(): number {
    return this.portNumber;
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.portNumber}`;
  }

  /** Sets the behaviour of every method (clears per-method overrides). */
  set(b: Behaviour): this {
    this.behaviour = b;
    this.perMethod.clear();
    this.flakyFailures.clear();
    return this;
  }

  /** Sets the behaviour of one method (short name, e.g. `Say`). */
  setFor(method: string, b: Behaviour): this {
    this.perMethod.set(method, b);
    return this;
  }

  /** Calls that reached `method` (short name); all methods when omitted. */
  count(method?: string): number {
    if (method !== undefined) return this.calls.get(method) ?? 0;
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }

  /** Forgets the call counts. */
  resetCounts(): void {
    this.calls.clear();
    this.arrivals.length = 0;
  }

  /** Kills the server at once: open calls fail on the client with UNAVAILABLE. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server.forceShutdown();
  }

  private behaviourOf(method: string): Behaviour {
    return this.perMethod.get(method) ?? this.behaviour;
  }

  private arrive(method: string, call: { metadata: grpc.Metadata }): Behaviour {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    this.arrivals.push(Date.now());
    this.lastMetadata.set(method, call.metadata);
    const b = this.behaviourOf(method);
    if (b.kind !== 'flaky') return b;
    const failed = this.flakyFailures.get(method) ?? 0;
    if (failed >= b.times) return ok;
    this.flakyFailures.set(method, failed + 1);
    return { kind: 'fail', code: b.code, details: `flaky failure ${failed + 1}` };
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private headers(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('x-server', this.id);
    return md;
  }

  private trailers(): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set('x-server-trailer', this.id);
    return md;
  }

  /** Runs `answer` as the behaviour says; returns false when the call must not be answered. */
  private unary(
    method: string,
    call: AnyCall,
    cb: grpc.sendUnaryData<any>,
    answer: () => unknown,
  ): void {
    const b = this.arrive(method, call);
    call.sendMetadata(this.headers());
    const reply = () => cb(null, answer(), this.trailers());
    switch (b.kind) {
      case 'ok':
        return reply();
      case 'slow':
        return this.later(b.ms, reply);
      case 'hang':
        return;
      case 'fail':
      case 'fail-after':
        return cb({
          code: b.code,
          details: 'details' in b ? b.details : 'injected failure',
          metadata: this.trailers(),
        });
    }
  }

  /** Writes `n` replies made by `make(i)`, honouring the behaviour. */
  private stream(
    method: string,
    call: grpc.ServerWritableStream<any, any>,
    n: number,
    make: (i: number) => unknown,
  ): void {
    const b = this.arrive(method, call);
    call.sendMetadata(this.headers());
    const write = () => {
      const limit = b.kind === 'fail-after' ? Math.min(b.after, n) : n;
      for (let i = 0; i < limit; i++) call.write(make(i));
      if (b.kind === 'fail-after') {
        call.emit('error', {
          code: b.code,
          details: 'injected failure',
          metadata: this.trailers(),
        });
      } else call.end(this.trailers());
    };
    switch (b.kind) {
      case 'ok':
      case 'fail-after':
        return write();
      case 'slow':
        return this.later(b.ms, write);
      case 'hang':
        return;
      case 'fail':
        call.emit('error', {
          code: b.code,
          details: b.details ?? 'injected failure',
          metadata: this.trailers(),
        });
    }
  }

  private echo(req: EchoRequest, md: grpc.Metadata, index: number): EchoReply {
    return {
      message: req.message ?? '',
      index,
      server: this.id,
      caller: String(md.get('authorization')[0] ?? ''),
    };
  }

  private register(): void {
    this.server.addService(services.Echo.service, {
      Say: (
        call: grpc.ServerUnaryCall<EchoRequest, EchoReply>,
        cb: grpc.sendUnaryData<EchoReply>,
      ) => this.unary('Say', call, cb, () => this.echo(call.request, call.metadata, 0)),
      Repeat: (call: grpc.ServerWritableStream<EchoRequest, EchoReply>) =>
        this.stream('Repeat', call, call.request.count || 1, (i) =>
          this.echo(call.request, call.metadata, i),
        ),
      Collect: (
        call: grpc.ServerReadableStream<EchoRequest, EchoReply>,
        cb: grpc.sendUnaryData<EchoReply>,
      ) => {
        const received: string[] = [];
        call.on('data', (r: EchoRequest) => received.push(r.message ?? ''));
        call.on('end', () =>
          this.unary('Collect', call as unknown as AnyCall, cb, () => ({
            ...this.echo({ message: received.join(',') }, call.metadata, 0),
            index: received.length,
          })),
        );
      },
      Chat: (call: grpc.ServerDuplexStream<EchoRequest, EchoReply>) => {
        const b = this.arrive('Chat', call);
        call.sendMetadata(this.headers());
        if (b.kind === 'fail') {
          call.emit('error', { code: b.code, details: b.details ?? 'injected failure' });
          return;
        }
        if (b.kind === 'hang') return;
        let i = 0;
        call.on('data', (r: EchoRequest) => {
          if (b.kind === 'fail-after' && i >= b.after) {
            call.emit('error', { code: b.code, details: 'injected failure' });
            return;
          }
          call.write(this.echo(r, call.metadata, i++));
        });
        call.on('end', () => call.end(this.trailers()));
      },
    });
    const item = (id: string): Item => ({
      id,
      name: `item ${id}`,
      priceCents: 100 + id.length,
      server: this.id,
    });
    this.server.addService(services.Catalog.service, {
      GetItem: (call: grpc.ServerUnaryCall<{ id: string }, Item>, cb: grpc.sendUnaryData<Item>) =>
        this.unary('GetItem', call, cb, () => item(call.request.id)),
      PutItem: (
        call: grpc.ServerUnaryCall<{ item: Item }, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => this.unary('PutItem', call, cb, () => ({ created: true })),
      ListItems: (call: grpc.ServerWritableStream<{ limit: number }, Item>) =>
        this.stream('ListItems', call, call.request.limit || 3, (i) => item(String(i))),
    });
  }
}
