/**
 * A real Thrift Catalog server on 127.0.0.1:0 whose behaviour tests switch at will: answer, throw
 * a declared exception, fail with an undeclared error, hang, answer slowly, close the client's
 * socket mid-call, or answer null for a non-void method. It serves framed/binary or
 * buffered/compact over TCP, or binary over HTTP (`createWebServer`), and counts the calls that
 * reached it per method, so tests can assert how many calls the breaker let through. It runs the
 * es6 processor: the js:node one needs `thrift.Q` for Promise handlers, which npm thrift 0.24 lacks.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { genEs6, thrift, type Item } from './generated.js';

/** Wire format of a test server and its clients. */
export type WireKind = 'framed-binary' | 'buffered-compact' | 'http';

/** What the server does with a call. */
export type Behaviour =
  | { kind: 'ok' }
  /** Throws the declared `Overloaded` (methods that declare it) or `NotFound` (getItem). */
  | { kind: 'declared' }
  /** Throws a plain Error: the client sees a TApplicationException. */
  | { kind: 'fail' }
  | { kind: 'hang' }
  | { kind: 'slow'; ms: number }
  /** Destroys every client socket instead of answering. */
  | { kind: 'close' }
  /** Answers null: a non-void method's client rejects with "<name> failed: unknown result". */
  | { kind: 'null' }
  /** The next `times` calls (per method) fail like `fail`; later ones answer. */
  | { kind: 'flaky'; times: number };

export const ok: Behaviour = { kind: 'ok' };
export const hang: Behaviour = { kind: 'hang' };
export const slow = (ms: number): Behaviour => ({ kind: 'slow', ms });

/** The transport and protocol classes of a wire kind. */
export function wireClasses(kind: WireKind) {
  return kind === 'buffered-compact'
    ? { transport: thrift.TBufferedTransport, protocol: thrift.TCompactProtocol }
    : kind === 'framed-binary'
      ? { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol }
      : { transport: thrift.TBufferedTransport, protocol: thrift.TBinaryProtocol };
}

const ITEMS: Record<string, Item> = {
  a: new genEs6.types.Item({ id: 'a', name: 'apple', priceCents: 120, tags: ['fruit'] }),
  b: new genEs6.types.Item({ id: 'b', name: 'bread', priceCents: 250, tags: [] }),
};

export class CatalogServer {
  /** Calls that reached the server, per method. */
  readonly calls = new Map<string, number>();
  /** Ids passed to the oneway `recordView`, in arrival order. */
  readonly views: string[] = [];
  private readonly perMethod = new Map<string, Behaviour>();
  private readonly flakyFailures = new Map<string, number>();
  private behaviour: Behaviour = ok;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: NetServer | HttpServer,
    readonly kind: WireKind,
    /** The port it listens on. */
    readonly port = 0,
  ) {}

  /** Starts a server of `kind` on 127.0.0.1, on a free port unless `port` is given. */
  static async start(kind: WireKind, port = 0): Promise<CatalogServer> {
    const ref: { server?: CatalogServer } = {};
    const handler = makeHandler(() => ref.server!);
    const { transport, protocol } = wireClasses(kind);
    const server =
      kind === 'http'
        ? thrift.createWebServer({
            services: { '/': { processor: genEs6.Catalog, handler, transport, protocol } },
          } as unknown as Parameters<typeof thrift.createWebServer>[0])
        : thrift.createServer(genEs6.Catalog, handler as never, { transport, protocol });
    const s: NetServer | HttpServer = server as unknown as NetServer | HttpServer;
    const bound = await new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const a = s.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
    const self = new CatalogServer(s, kind, bound);
    ref.server = self;
    s.on('error', () => {}); // writes to sockets the tests destroyed
    s.on('connection', (sock: Socket) => self.track(sock));
    return self;
  }

  /** Sets the behaviour of every method (clears per-method overrides). */
  set(b: Behaviour): this {
    this.behaviour = b;
    this.perMethod.clear();
    this.flakyFailures.clear();
    return this;
  }

  /** Sets the behaviour of one method. */
  setMethod(method: string, b: Behaviour): this {
    this.perMethod.set(method, b);
    return this;
  }

  /** Calls of `method` that reached the server. */
  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  /** Open client connections. */
  get connections(): number {
    return this.sockets.size;
  }

  /** Destroys every client socket (the clients see `close`). */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Stops listening and destroys every socket and pending timer. */
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropConnections();
    await closed;
  }

  /** Runs a handler body under the current behaviour of `method`. */
  run<T>(method: string, body: () => T, declared: () => Error): Promise<T> {
    this.calls.set(method, this.count(method) + 1);
    const b = this.perMethod.get(method) ?? this.behaviour;
    switch (b.kind) {
      case 'ok':
        return Promise.resolve().then(body);
      case 'declared':
        return Promise.reject(declared());
      case 'fail':
        return Promise.reject(new Error(`injected failure in ${method}`));
      case 'hang':
        return new Promise<T>(() => {});
      case 'slow':
        return this.after(b.ms).then(body);
      case 'close':
        // Let the request finish arriving, then cut every connection.
        return this.after(1).then(() => {
          this.dropConnections();
          return new Promise<T>(() => {});
        });
      case 'null':
        return Promise.resolve(null as T);
      case 'flaky': {
        const failed = this.flakyFailures.get(method) ?? 0;
        if (failed >= b.times) return Promise.resolve().then(body);
        this.flakyFailures.set(method, failed + 1);
        return Promise.reject(new Error(`injected flaky failure ${failed + 1} in ${method}`));
      }
    }
  }

  /** Resolves after `ms`; the timer is cleared by `close()`. */
  after(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private track(sock: Socket): void {
    this.sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => this.sockets.delete(sock));
  }
}

/** Handler methods with exact arities, so the generated processor uses their Promises. */
function makeHandler(server: () => CatalogServer) {
  const { NotFound, Overloaded, Item } = genEs6.types;
  const overloaded = () => new Overloaded({ reason: 'shedding load', retryAfterMs: 50 });
  return {
    ping: () => server().run('ping', () => 'pong', overloaded),
    describe: () => server().run('describe', () => 'catalog-test 1.0', overloaded),
    getItem: (id: string) =>
      server().run(
        'getItem',
        () => {
          const item = ITEMS[id];
          if (!item) throw new NotFound({ id });
          return item;
        },
        () => new NotFound({ id }),
      ),
    listItems: (limit: number) =>
      server().run('listItems', () => Object.values(ITEMS).slice(0, limit), overloaded),
    findByName: (name: string) =>
      server().run(
        'findByName',
        () => Object.values(ITEMS).find((i) => i.name === name) ?? null,
        overloaded,
      ),
    putItem: (item: Item) =>
      server().run(
        'putItem',
        () => {
          ITEMS[item.id] ??= new Item(item);
        },
        overloaded,
      ),
    recordView: (id: string) =>
      server().run(
        'recordView',
        () => {
          server().views.push(id);
        },
        overloaded,
      ),
    delayedEcho: (text: string, delayMs: number) =>
      server().run(
        'delayedEcho',
        () =>
          server()
            .after(delayMs)
            .then(() => text),
        overloaded,
      ),
  };
}
