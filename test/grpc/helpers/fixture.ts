/**
 * Test fixture: a test server, a registry (optionally on a ManualClock), an interceptor and
 * clients, all closed by `close()` so that no test leaves a handle open.
 */
import * as grpc from '@grpc/grpc-js';
import { ManualClock } from '../../../src/core/clock.js';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import { createGrpcBreakerInterceptor } from '../../../src/grpc/interceptor.js';
import type { GrpcBreakerOptions } from '../../../src/grpc/options.js';
import {
  CatalogClientCtor,
  EchoClientCtor,
  type CatalogClient,
  type EchoClient,
  type Item,
  type EchoReply,
  type EchoRequest,
} from './services.js';
import { TestServer } from './test-server.js';
import { md, unary, type UnaryResult } from './calls.js';

export interface FixtureOptions extends Omit<GrpcBreakerOptions, 'registry'> {
  /** Use a ManualClock (default) or the system clock. */
  manualClock?: boolean;
  /** Start a test server (default true). */
  server?: boolean;
}

export class Fixture {
  readonly clock = new ManualClock(1_000);
  readonly registry: CircuitRegistry;
  readonly interceptor: grpc.Interceptor;
  server!: TestServer;
  /**
   * Calls the breaker passed down the chain (`nextCall`), per method path, counted by a plain
   * interceptor placed below the breaker: a short-circuited call must never show up here.
   */
  readonly attempts = new Map<string, number>();
  readonly below: grpc.Interceptor = (options, nextCall) => {
    const p = options.method_definition.path;
    this.attempts.set(p, (this.attempts.get(p) ?? 0) + 1);
    return new grpc.InterceptingCall(nextCall(options));
  };
  private readonly clients: grpc.Client[] = [];
  private readonly closers: Array<() => unknown> = [];

  private constructor(opts: FixtureOptions) {
    const { manualClock = true, server: _s, ...rest } = opts;
    this.registry = new CircuitRegistry(manualClock ? { clock: this.clock } : {});
    this.interceptor = createGrpcBreakerInterceptor({ ...rest, registry: this.registry });
  }

  static async create(opts: FixtureOptions = {}): Promise<Fixture> {
    const f = new Fixture(opts);
    if (opts.server !== false) f.server = await TestServer.start();
    return f;
  }

  /** An Echo client through the interceptor (to the test server unless `address` is given). */
  echo(address = this.server.address, options: grpc.ClientOptions = {}): EchoClient {
    const c = new EchoClientCtor(address, grpc.credentials.createInsecure(), {
      interceptors: [this.interceptor, this.below],
      ...options,
    });
    this.clients.push(c);
    return c;
  }

  /** A Catalog client through the interceptor. */
  catalog(address = this.server.address): CatalogClient {
    const c = new CatalogClientCtor(address, grpc.credentials.createInsecure(), {
      interceptors: [this.interceptor, this.below],
    });
    this.clients.push(c);
    return c;
  }

  /** Registers something else to close with the fixture. */
  onClose(fn: () => unknown): void {
    this.closers.push(fn);
  }

  /** Calls of `path` that went past the breaker to the channel. */
  attemptsOf(path: string): number {
    return this.attempts.get(path) ?? 0;
  }

  /** The state of circuit `name`. */
  state(name: string): string {
    return this.registry.get(name).state;
  }

  /** Closes clients, the server and whatever was registered. */
  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    this.server?.close();
    for (const fn of this.closers) await fn();
  }
}

/** Calls Echo/Say and records what the caller saw. */
export function say(
  client: EchoClient,
  req: EchoRequest = { message: 'hi' },
  opts: { metadata?: grpc.Metadata; options?: grpc.CallOptions } = {},
  during?: (call: grpc.ClientUnaryCall) => void,
): Promise<UnaryResult<EchoReply>> {
  return unary<EchoReply>(
    (cb) => client.Say(req, opts.metadata ?? md(), opts.options ?? {}, cb),
    during as never,
  );
}

/** Calls Catalog/GetItem and records what the caller saw. */
export function getItem(
  client: CatalogClient,
  id: string,
  metadata: grpc.Metadata = md(),
  options: grpc.CallOptions = {},
): Promise<UnaryResult<Item>> {
  return unary<Item>((cb) => client.GetItem({ id }, metadata, options, cb));
}

/** Runs `n` sequential Say calls and returns their status codes. */
export async function sayTimes(
  client: EchoClient,
  n: number,
  options: grpc.CallOptions = {},
): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < n; i++)
    codes.push((await say(client, { message: `m${i}` }, { options })).status.code);
  return codes;
}
