/**
 * The Ledger service of protos/ledger.proto, whose methods carry `idempotency_level` options: its
 * proto-loader package definition, a typed client, and a real server on 127.0.0.1:0 that counts
 * the calls of each method and can fail the next few of them.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protosDir } from './services.js';

const loaderOptions: protoLoader.Options = {
  longs: Number,
  enums: String,
  defaults: true,
  includeDirs: [protosDir],
};

/** The package definition, as a user would load it. */
export const ledgerDefinition = protoLoader.loadSync('ledger.proto', loaderOptions);

/** The definition of protos/catalog.proto alone (no Ledger in it). */
export const catalogDefinition = protoLoader.loadSync('catalog.proto', loaderOptions);

const Ledger = (grpc.loadPackageDefinition(ledgerDefinition) as any).rpcbreaker.ledger.v1
  .Ledger as grpc.ServiceClientConstructor;

/** Method paths. */
export const ledgerPaths = {
  getBalance: '/rpcbreaker.ledger.v1.Ledger/GetBalance',
  setLimit: '/rpcbreaker.ledger.v1.Ledger/SetLimit',
  transfer: '/rpcbreaker.ledger.v1.Ledger/Transfer',
  listEntries: '/rpcbreaker.ledger.v1.Ledger/ListEntries',
} as const;

type Cb<T> = (e: grpc.ServiceError | null, v?: T) => void;
/** A balance reply. */
export interface Balance {
  account: string;
  cents: number;
  server: string;
}

/** The Ledger client as the tests use it. */
export interface LedgerClient extends grpc.Client {
  GetBalance(
    req: { account: string },
    md: grpc.Metadata,
    o: grpc.CallOptions,
    cb: Cb<Balance>,
  ): grpc.ClientUnaryCall;
  SetLimit(
    req: { account: string; limitCents: number },
    md: grpc.Metadata,
    o: grpc.CallOptions,
    cb: Cb<Balance>,
  ): grpc.ClientUnaryCall;
  Transfer(
    req: { from: string; to: string; cents: number },
    md: grpc.Metadata,
    o: grpc.CallOptions,
    cb: Cb<{ id: string }>,
  ): grpc.ClientUnaryCall;
  ListEntries(req: { account: string }): grpc.ClientReadableStream<{ id: string; cents: number }>;
}

/** Creates a Ledger client to `address` with `interceptors`. */
export function ledgerClient(address: string, interceptors: grpc.Interceptor[]): LedgerClient {
  return new Ledger(address, grpc.credentials.createInsecure(), {
    interceptors,
  }) as unknown as LedgerClient;
}

export class LedgerServer {
  /** Calls that reached the server, per short method name. */
  readonly calls = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly server = new grpc.Server();
  private port = 0;

  /** Starts a server on 127.0.0.1, on a free port. */
  static async start(id = 'ledger-1'): Promise<LedgerServer> {
    const s = new LedgerServer();
    s.register(id);
    s.port = await new Promise<number>((resolve, reject) =>
      s.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    return s;
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Calls of `method` (short name) that reached the server. */
  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  /** The next `times` calls of every method fail with UNAVAILABLE. */
  failNext(times: number): this {
    for (const m of ['GetBalance', 'SetLimit', 'Transfer', 'ListEntries'])
      this.failures.set(m, times);
    return this;
  }

  /** Kills the server at once. */
  close(): void {
    this.server.forceShutdown();
  }

  /** Counts a call; returns the failure to answer with, if it must fail. */
  private arrive(method: string): grpc.ServiceError | null {
    this.calls.set(method, this.count(method) + 1);
    const left = this.failures.get(method) ?? 0;
    if (left <= 0) return null;
    this.failures.set(method, left - 1);
    return Object.assign(new Error('injected failure'), {
      code: grpc.status.UNAVAILABLE,
      details: 'injected failure',
      metadata: new grpc.Metadata(),
    });
  }

  private register(id: string): void {
    const unary =
      (method: string, answer: (req: any) => unknown) =>
      (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
        const failure = this.arrive(method);
        if (failure) cb(failure);
        else cb(null, answer(call.request));
      };
    this.server.addService(Ledger.service, {
      GetBalance: unary('GetBalance', (r: { account: string }) => ({
        account: r.account,
        cents: 100,
        server: id,
      })),
      SetLimit: unary('SetLimit', (r: { account: string }) => ({
        account: r.account,
        cents: 100,
        server: id,
      })),
      Transfer: unary('Transfer', () => ({ id: `receipt-${this.count('Transfer')}` })),
      ListEntries: (call: grpc.ServerWritableStream<any, any>) => {
        const failure = this.arrive('ListEntries');
        if (failure) return call.emit('error', failure);
        call.write({ id: 'e1', cents: 5 });
        call.end();
      },
    });
  }
}
