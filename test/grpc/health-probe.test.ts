/**
 * createGrpcHealthProbe: the standard health check as a circuit's half-open probe, against a real
 * server whose health service flips between NOT_SERVING and SERVING.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, getItem } from './helpers/fixture.js';
import { header, waitFor } from './helpers/calls.js';
import { CatalogClientCtor, paths, services, type CatalogClient } from './helpers/services.js';
import { HealthServer } from './helpers/health-server.js';
import { closedAddress } from './helpers/black-hole.js';
import {
  createGrpcHealthProbe,
  decodeServingStatus,
  encodeCheckRequest,
  GRPC_HEALTH_CHECK_PATH,
} from '../../src/grpc/health-probe.js';
import { isConfigError } from '../../src/core/errors.js';

expectNoLeakedHandles();

const SERVICE = 'rpcbreaker.catalog.v1.Catalog';
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function server(opts?: { withHealth?: boolean }): Promise<HealthServer> {
  const h = await HealthServer.start(opts);
  closers.push(() => h.close());
  return h;
}

function plainClient(address: string): CatalogClient {
  const c = new CatalogClientCtor(address, grpc.credentials.createInsecure());
  closers.push(() => c.close());
  return c;
}

/** A fixture whose GetItem circuit probes `h` with the health check, on a ManualClock. */
async function probedCatalog(h: HealthServer, timeoutMs = 1_000) {
  // The probe needs the client, and the client is built with the interceptor holding the probe.
  const ref: { client?: CatalogClient } = {};
  const probe = createGrpcHealthProbe(() => ref.client!, { service: SERVICE, timeoutMs });
  const f = await Fixture.create({
    server: false,
    methods: {
      [paths.getItem]: {
        circuit: { trip: { consecutiveFailures: 2 }, openMs: 1_000, halfOpenProbe: probe },
        fallback: { cache: { ttlMs: 600_000 } },
      },
    },
  });
  closers.unshift(() => f.close());
  const client = (ref.client = f.catalog(h.address));
  // Made by the first call, with the method's policy: the interceptor's own `registry.get`.
  const first = await getItem(client, 'a');
  expect(first.error).toBeNull();
  return { f, client, circuit: f.registry.get(paths.getItem), first };
}

describe('a circuit probed by the gRPC health check', () => {
  it('never lets a user call probe, serves fallbacks meanwhile, and closes once SERVING', async () => {
    const h = await server();
    h.setHealth('NOT_SERVING', SERVICE);
    const { f, client, circuit, first: fresh } = await probedCatalog(h);
    h.userStatus = grpc.status.UNAVAILABLE;
    await getItem(client, 'a');
    await getItem(client, 'a');
    expect(circuit.state).toBe('open');
    const userCalls = h.count('GetItem');
    const userAttempts = f.attemptsOf(paths.getItem);

    // Two half-open rounds while the server says NOT_SERVING: each runs one check, which fails.
    for (let round = 1; round <= 2; round++) {
      f.clock.advance(1_000);
      const r = await getItem(client, 'a');
      expect(r.error).toBeNull();
      expect(r.value).toEqual(fresh.value);
      expect(header(r.metadata, 'x-fallback')).toBe('cache');
      await waitFor(() => circuit.state !== 'half-open');
      expect(circuit.state).toBe('open');
      expect(circuit.snapshot().lastTripReason).toBe('probe-failure');
      expect(h.count('Check')).toBe(round);
    }

    // The server recovers and says so: the next round's check closes the circuit.
    h.userStatus = grpc.status.OK;
    h.setHealth('SERVING', SERVICE);
    f.clock.advance(1_000);
    const meanwhile = await getItem(client, 'a');
    expect(header(meanwhile.metadata, 'x-fallback')).toBe('cache');
    await waitFor(() => circuit.state === 'closed');
    expect(h.count('Check')).toBe(3);
    expect(h.checkedServices).toEqual([SERVICE, SERVICE, SERVICE]);

    // No user call reached the server or the channel while the circuit was open or half-open,
    // and the checks never went through the breaker's interceptor chain.
    expect(h.count('GetItem')).toBe(userCalls);
    expect(f.attemptsOf(paths.getItem)).toBe(userAttempts);
    expect(f.attemptsOf(GRPC_HEALTH_CHECK_PATH)).toBe(0);

    const real = await getItem(client, 'a');
    expect(header(real.metadata, 'x-fallback')).toBeUndefined();
    expect(h.count('GetItem')).toBe(userCalls + 1);
  });

  it('runs one check at a time and ends a hung check at its own deadline, as a failure', async () => {
    const h = await server();
    const { f, client, circuit } = await probedCatalog(h, 150);
    h.userStatus = grpc.status.UNAVAILABLE;
    await getItem(client, 'a');
    await getItem(client, 'a');
    h.setHealth('hang', SERVICE);
    f.clock.advance(1_000);
    const started = performance.now();
    for (let i = 0; i < 5; i++) {
      const r = await getItem(client, 'a');
      expect(header(r.metadata, 'x-fallback')).toBe('cache');
    }
    expect(circuit.state).toBe('half-open');
    expect(h.count('Check')).toBe(1);
    await waitFor(() => circuit.state !== 'half-open', 2_000);
    const ms = performance.now() - started;
    expect(circuit.state).toBe('open');
    expect(circuit.snapshot().lastTripReason).toBe('probe-failure');
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(1_000);
    expect(h.count('Check')).toBe(1);
  });
});

describe('createGrpcHealthProbe', () => {
  it('resolves when the server answers SERVING and rejects on every other status', async () => {
    const h = await server();
    const client = plainClient(h.address);
    await expect(createGrpcHealthProbe(client)()).resolves.toBeUndefined();
    for (const answer of ['NOT_SERVING', 'SERVICE_UNKNOWN', 'UNKNOWN'] as const) {
      h.setHealth(answer);
      await expect(createGrpcHealthProbe(client)()).rejects.toThrow(
        `health check answered ${answer}`,
      );
    }
    expect(h.checkedServices).toEqual(['', '', '', '']);
  });

  it('asks about the service it is given; a service the server does not know fails', async () => {
    const h = await server();
    h.setHealth('SERVING', SERVICE);
    const client = plainClient(h.address);
    await expect(createGrpcHealthProbe(client, { service: SERVICE })()).resolves.toBeUndefined();
    await expect(createGrpcHealthProbe(client, { service: 'other.Svc' })()).rejects.toThrow(
      /health check failed: 5 NOT_FOUND/,
    );
    expect(h.checkedServices).toEqual([SERVICE, 'other.Svc']);
  });

  it('fails against a server without the health service (UNIMPLEMENTED) and a closed port', async () => {
    const h = await server({ withHealth: false });
    await expect(createGrpcHealthProbe(plainClient(h.address))()).rejects.toThrow(
      /12 UNIMPLEMENTED/,
    );
    const started = performance.now();
    const err = await createGrpcHealthProbe(plainClient(await closedAddress()))().catch(
      (e: Error) => e,
    );
    expect((err as Error & { cause: grpc.ServiceError }).cause.code).toBe(grpc.status.UNAVAILABLE);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('sends the check through the interceptors it is given instead of the client’s', async () => {
    const h = await server();
    const seen: string[] = [];
    const clientInterceptor: grpc.Interceptor = (o, next) => {
      seen.push(`client ${o.method_definition.path}`);
      return new grpc.InterceptingCall(next(o));
    };
    const probeInterceptor: grpc.Interceptor = (o, next) => {
      seen.push(`probe ${o.method_definition.path}`);
      return new grpc.InterceptingCall(next(o));
    };
    const client = new CatalogClientCtor(h.address, grpc.credentials.createInsecure(), {
      interceptors: [clientInterceptor],
    });
    closers.push(() => client.close());
    await createGrpcHealthProbe(client)();
    await createGrpcHealthProbe(client, { interceptors: [probeInterceptor] })();
    expect(seen).toEqual([`probe ${GRPC_HEALTH_CHECK_PATH}`]);
  });

  it('throws ConfigError for bad options and a value that is not a client', () => {
    const bad: Array<[unknown, unknown]> = [
      [{}, undefined],
      [{ makeUnaryRequest() {} }, { timeoutMs: 0 }],
      [{ makeUnaryRequest() {} }, { service: 1 }],
      [{ makeUnaryRequest() {} }, { interceptors: [1] }],
      [{ makeUnaryRequest() {} }, { deadline: 5 }],
    ];
    for (const [client, options] of bad) {
      let thrown: unknown;
      try {
        createGrpcHealthProbe(client as never, options as never);
      } catch (e) {
        thrown = e;
      }
      expect(isConfigError(thrown)).toBe(true);
    }
  });

  it('encodes HealthCheckRequest and decodes HealthCheckResponse as protobuf does', () => {
    const Health = grpcHealthCodec();
    expect(encodeCheckRequest(SERVICE)).toEqual(Health.req({ service: SERVICE }));
    expect(Health.readReq(encodeCheckRequest(''))).toEqual({ service: '' });
    expect(Health.readReq(encodeCheckRequest('é'.repeat(100)))).toEqual({
      service: 'é'.repeat(100),
    });
    const names = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
    for (const status of names)
      expect(decodeServingStatus(Health.res({ status }))).toBe(names.indexOf(status));
    expect(decodeServingStatus(Buffer.alloc(0))).toBe(0);
    // Unknown fields before the status are skipped.
    const extra = Buffer.from([0x12, 0x02, 0x61, 0x62, 0x1d, 1, 2, 3, 4]);
    expect(decodeServingStatus(Buffer.concat([extra, Health.res({ status: 'SERVING' })]))).toBe(1);
    expect(() => decodeServingStatus(Buffer.from([0x08]))).toThrow(/malformed/);
    expect(() => decodeServingStatus(Buffer.from([0x12, 0x05, 0x61]))).toThrow(/malformed/);
  });
});

/** The serializers proto-loader made from protos/grpc/health/v1/health.proto. */
function grpcHealthCodec() {
  const check = (services.Health.service as Record<string, grpc.MethodDefinition<object, object>>)
    .Check!;
  return {
    req: (v: object) => check.requestSerialize(v),
    readReq: (b: Buffer) => check.requestDeserialize(b),
    res: (v: object) => check.responseSerialize(v),
  };
}
