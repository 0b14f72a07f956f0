/**
 * The response cache and call credentials, over TLS. grpc-js adds what call credentials produce
 * (the `authorization` header) below the interceptor, so the cache key never sees it: a reply
 * cached for Alice must still never reach Bob or an anonymous caller, whichever way each
 * authenticates — per-call `CallOptions.credentials`, call credentials combined into the
 * channel's credentials, or two clients sharing one interceptor.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { header, md, unary, type UnaryResult } from './helpers/calls.js';
import {
  EchoClientCtor,
  paths,
  services,
  type EchoClient,
  type EchoReply,
  type EchoRequest,
} from './helpers/services.js';

expectNoLeakedHandles();

const tlsDir = fileURLToPath(new URL('../storage/redis/tls/', import.meta.url));
/** A self-signed certificate for 127.0.0.1 (its own CA). */
const cert = readFileSync(`${tlsDir}server.crt`);
const key = readFileSync(`${tlsDir}server.key`);

/** A TLS Echo server whose Say replies name the caller's `authorization`. */
async function startTlsServer(): Promise<{ address: string; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(services.Echo.service, {
    Say: (call: grpc.ServerUnaryCall<EchoRequest, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) =>
      cb(null, {
        message: call.request.message ?? '',
        index: 0,
        server: 'tls',
        caller: String(call.metadata.get('authorization')[0] ?? ''),
      }),
  });
  const creds = grpc.ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, server };
}

/** Call credentials that send `authorization: Bearer <who>`. */
function bearer(who: string): grpc.CallCredentials {
  return grpc.credentials.createFromMetadataGenerator((_params, cb) =>
    cb(null, md({ authorization: `Bearer ${who}` })),
  );
}

const ssl = () => grpc.credentials.createSsl(cert);

let closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers) c();
  closers = [];
});

async function setup() {
  const { address, server } = await startTlsServer();
  closers.push(() => server.forceShutdown());
  const registry = new CircuitRegistry();
  const interceptor = (channelIdentity?: 'unknown' | 'per-interceptor') =>
    createGrpcBreakerInterceptor({
      registry,
      methods: { [paths.say]: { fallback: { cache: { ttlMs: 60_000, channelIdentity } } } },
    });
  const client = (creds: grpc.ChannelCredentials, i: grpc.Interceptor): EchoClient => {
    const c = new EchoClientCtor(address, creds, { interceptors: [i] });
    closers.push(() => c.close());
    return c;
  };
  const open = () => registry.get(paths.say).forceOpen();
  return { registry, interceptor, client, open };
}

function say(c: EchoClient, options: grpc.CallOptions = {}): Promise<UnaryResult<EchoReply>> {
  return unary<EchoReply>((cb) => c.Say({ message: 'q' }, md(), options, cb));
}

/** The call was not answered from the cache: it failed with the circuit's UNAVAILABLE. */
function expectRejected(r: UnaryResult<EchoReply>): void {
  expect(r.value?.caller).toBeUndefined();
  expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
  expect(header(r.metadata, 'x-fallback')).toBeUndefined();
}

describe('cache isolation with per-call CallCredentials (TLS)', () => {
  it('partitions by the credentials object: Bob and anonymous never get Alice’s reply', async () => {
    const s = await setup();
    const c = s.client(ssl(), s.interceptor('per-interceptor'));
    const alice = bearer('alice');
    const fresh = await say(c, { credentials: alice });
    expect(fresh.value?.caller).toBe('Bearer alice');
    s.open();

    expectRejected(await say(c, { credentials: bearer('bob') }));
    expectRejected(await say(c));
    const again = await say(c, { credentials: alice });
    expect(again.value?.caller).toBe('Bearer alice');
    expect(header(again.metadata, 'x-fallback')).toBe('cache');
  });

  it('caches nothing over TLS by default (channelIdentity: unknown)', async () => {
    const s = await setup();
    const c = s.client(ssl(), s.interceptor());
    const alice = bearer('alice');
    expect((await say(c, { credentials: alice })).value?.caller).toBe('Bearer alice');
    s.open();
    expectRejected(await say(c, { credentials: alice }));
    expectRejected(await say(c));
  });
});

describe('cache isolation with call credentials combined into the channel (TLS)', () => {
  it('keeps each client’s cache to itself when each has its own interceptor', async () => {
    const s = await setup();
    const combined = (who: string) =>
      grpc.credentials.combineChannelCredentials(ssl(), bearer(who));
    const alice = s.client(combined('alice'), s.interceptor('per-interceptor'));
    const bob = s.client(combined('bob'), s.interceptor('per-interceptor'));
    const anonymous = s.client(ssl(), s.interceptor('per-interceptor'));
    expect((await say(alice)).value?.caller).toBe('Bearer alice');
    s.open();

    expectRejected(await say(bob));
    expectRejected(await say(anonymous));
    expect((await say(alice)).value?.caller).toBe('Bearer alice');
  });

  it('caches nothing when two clients share one interceptor (default channelIdentity)', async () => {
    const s = await setup();
    const shared = s.interceptor();
    const combined = (who: string) =>
      grpc.credentials.combineChannelCredentials(ssl(), bearer(who));
    const alice = s.client(combined('alice'), shared);
    const bob = s.client(combined('bob'), shared);
    const anonymous = s.client(ssl(), shared);
    expect((await say(alice)).value?.caller).toBe('Bearer alice');
    expect((await say(alice)).value?.caller).toBe('Bearer alice');
    s.open();

    expectRejected(await say(bob));
    expectRejected(await say(anonymous));
  });
});

describe('cache over a plaintext channel', () => {
  it('still caches, and per-call credentials still partition it', async () => {
    const registry = new CircuitRegistry();
    const server = new grpc.Server();
    server.addService(services.Echo.service, {
      Say: (
        call: grpc.ServerUnaryCall<EchoRequest, EchoReply>,
        cb: grpc.sendUnaryData<EchoReply>,
      ) =>
        cb(null, {
          message: '',
          index: 0,
          server: 'plain',
          caller: String(call.metadata.get('authorization')[0] ?? ''),
        }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    closers.push(() => server.forceShutdown());
    const i = createGrpcBreakerInterceptor({
      registry,
      methods: { [paths.say]: { fallback: { cache: { ttlMs: 60_000 } } } },
    });
    const c = new EchoClientCtor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      interceptors: [i],
    });
    closers.push(() => c.close());
    const alice = bearer('alice');
    expect((await say(c, { credentials: alice })).value?.caller).toBe('Bearer alice');
    registry.get(paths.say).forceOpen();
    expectRejected(await say(c, { credentials: bearer('bob') }));
    expectRejected(await say(c));
    expect((await say(c, { credentials: alice })).value?.caller).toBe('Bearer alice');
  });
});
