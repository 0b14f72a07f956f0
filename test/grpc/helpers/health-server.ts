/**
 * A real grpc-js server on 127.0.0.1:0 with the Catalog service and the standard health service
 * (grpc.health.v1.Health, from protos/), whose answers tests flip at will: each health check
 * answers the current serving status of the service asked about, or hangs; GetItem/PutItem
 * answer or fail with a status. Calls are counted per method, and the service names asked about
 * are recorded, so tests can assert that user calls never served as probes.
 */
import * as grpc from '@grpc/grpc-js';
import { services, type Item } from './services.js';

/** What Health/Check answers. */
export type HealthAnswer = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' | 'UNKNOWN' | 'hang';

export class HealthServer {
  /** Calls that reached the server, per short method name (`Check`, `GetItem`, `PutItem`). */
  readonly calls = new Map<string, number>();
  /** The `service` field of every health check, in order. */
  readonly checkedServices: string[] = [];
  /** Health answers by service name; `''` is the server as a whole. */
  readonly health = new Map<string, HealthAnswer>([['', 'SERVING']]);
  /** Status GetItem/PutItem fail with, or OK. */
  userStatus: grpc.status = grpc.status.OK;
  private readonly server = new grpc.Server();
  private readonly hung: Array<() => void> = [];

  private constructor(
    private portNumber = 0,
    withHealth = true,
  ) {
    this.register(withHealth);
  }

  /** Starts a server; `withHealth: false` leaves the health service out (UNIMPLEMENTED). */
  static async start(opts: { withHealth?: boolean } = {}): Promise<HealthServer> {
    const s = new HealthServer(0, opts.withHealth ?? true);
    s.portNumber = await new Promise<number>((resolve, reject) =>
      s.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    return s;
  }

  /** `127.0.0.1:<port>`. */
  get address(): string {
    return `127.0.0.1:${this.portNumber}`;
  }

  /** Calls of `method` (short name) that reached the server. */
  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  /** Sets what a check of `service` answers (default: the whole server). */
  setHealth(answer: HealthAnswer, service = ''): this {
    this.health.set(service, answer);
    return this;
  }

  /** Kills the server at once; hung checks end on the client with UNAVAILABLE. */
  close(): void {
    this.hung.length = 0;
    this.server.forceShutdown();
  }

  private arrive(method: string): void {
    this.calls.set(method, this.count(method) + 1);
  }

  private register(withHealth: boolean): void {
    const user =
      (method: string, answer: (req: any) => unknown) =>
      (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
        this.arrive(method);
        if (this.userStatus !== grpc.status.OK)
          cb({ code: this.userStatus, details: 'injected failure' });
        else cb(null, answer(call.request));
      };
    const item = (id: string): Item => ({ id, name: `item ${id}`, priceCents: 1, server: 'h' });
    this.server.addService(services.Catalog.service, {
      GetItem: user('GetItem', (r: { id: string }) => item(r.id)),
      PutItem: user('PutItem', () => ({ created: true })),
      ListItems: (call: grpc.ServerWritableStream<unknown, Item>) => call.end(),
    });
    if (!withHealth) return;
    this.server.addService(services.Health.service, {
      Check: (
        call: grpc.ServerUnaryCall<{ service: string }, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        this.arrive('Check');
        const service = call.request.service ?? '';
        this.checkedServices.push(service);
        const answer = this.health.get(service);
        if (answer === 'hang') this.hung.push(() => cb(null, { status: 'SERVING' }));
        else if (answer === undefined)
          cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else cb(null, { status: answer });
      },
      Watch: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
    });
  }
}
