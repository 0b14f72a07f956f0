/**
 * Idempotency from the .proto: with `packageDefinition`, the interceptor retries and answers from
 * the cache only the methods marked `idempotency_level = NO_SIDE_EFFECTS` or `IDEMPOTENT` (or
 * `idempotent: true` in their policy), against a real server; and asking for either at the own
 * key of a method not known to be safe is a ConfigError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { header, md, readStream, unary } from './helpers/calls.js';
import {
  catalogDefinition,
  LedgerServer,
  ledgerClient,
  ledgerDefinition,
  ledgerPaths as p,
  type LedgerClient,
} from './helpers/ledger.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import type { GrpcBreakerOptions } from '../../src/grpc/options.js';
import { readIdempotency } from '../../src/grpc/idempotency.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { isConfigError } from '../../src/core/errors.js';

expectNoLeakedHandles();

const closers: Array<() => unknown> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

async function setup(options: Omit<GrpcBreakerOptions, 'registry'>) {
  const server = await LedgerServer.start();
  closers.push(() => server.close());
  const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 100 } } });
  const client = ledgerClient(server.address, [
    createGrpcBreakerInterceptor({ ...options, registry }),
  ]);
  closers.unshift(() => client.close());
  return { server, client, registry };
}

const retry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
const cache = { cache: { ttlMs: 60_000 } };

/** One call of each unary method; their status codes. */
async function callEach(c: LedgerClient) {
  const codes = async <T>(start: (cb: (e: grpc.ServiceError | null, v?: T) => void) => unknown) =>
    (await unary<T>(start as never)).status.code;
  return {
    GetBalance: await codes((cb) => c.GetBalance({ account: 'a' }, md(), {}, cb)),
    SetLimit: await codes((cb) => c.SetLimit({ account: 'a', limitCents: 5 }, md(), {}, cb)),
    Transfer: await codes((cb) => c.Transfer({ from: 'a', to: 'b', cents: 5 }, md(), {}, cb)),
  };
}

describe('readIdempotency', () => {
  it('reads each method’s idempotency_level from a proto-loader package definition', () => {
    const table = readIdempotency(ledgerDefinition);
    expect(Object.fromEntries(table.levels)).toEqual({
      [p.getBalance]: 'NO_SIDE_EFFECTS',
      [p.setLimit]: 'IDEMPOTENT',
      [p.transfer]: 'IDEMPOTENCY_UNKNOWN',
      [p.listEntries]: 'NO_SIDE_EFFECTS',
    });
    expect([...table.services]).toEqual(['rpcbreaker.ledger.v1.Ledger']);
  });
});

describe('with a packageDefinition', () => {
  it('retries only the methods the .proto marks NO_SIDE_EFFECTS or IDEMPOTENT', async () => {
    const { server, client } = await setup({
      packageDefinition: ledgerDefinition,
      defaults: { retry },
    });
    server.failNext(1);
    expect(await callEach(client)).toEqual({
      GetBalance: grpc.status.OK,
      SetLimit: grpc.status.OK,
      Transfer: grpc.status.UNAVAILABLE,
    });
    expect(Object.fromEntries(server.calls)).toEqual({ GetBalance: 2, SetLimit: 2, Transfer: 1 });
  });

  it('answers only those methods from the cache; the others fail fast on an open circuit', async () => {
    const { client, registry } = await setup({
      packageDefinition: ledgerDefinition,
      defaults: { fallback: cache },
    });
    expect(await callEach(client)).toEqual({ GetBalance: 0, SetLimit: 0, Transfer: 0 });
    const stream = await readStream(client.ListEntries({ account: 'a' }));
    expect(stream.messages).toHaveLength(1);
    for (const path of Object.values(p)) registry.get(path).forceOpen();
    const balance = await unary((cb) => client.GetBalance({ account: 'a' }, md(), {}, cb));
    expect(header(balance.metadata, 'x-fallback')).toBe('cache');
    const cachedStream = await readStream(client.ListEntries({ account: 'a' }));
    expect(header(cachedStream.metadata, 'x-fallback')).toBe('cache');
    expect(cachedStream.messages).toEqual(stream.messages);
    const transfer = await unary((cb) =>
      client.Transfer({ from: 'a', to: 'b', cents: 5 }, md(), {}, cb),
    );
    expect(transfer.status.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(transfer.status.metadata, 'x-circuit-state')).toBe('forced-open');
  });

  it('lets idempotent: true in the policy vouch for a method without the option', async () => {
    const { server, client } = await setup({
      packageDefinition: ledgerDefinition,
      methods: { [p.transfer]: { idempotent: true, retry } },
    });
    server.failNext(1);
    expect((await callEach(client)).Transfer).toBe(grpc.status.OK);
    expect(server.count('Transfer')).toBe(2);
  });

  it('lets idempotent: false in the policy overrule the .proto', async () => {
    const { server, client } = await setup({
      packageDefinition: ledgerDefinition,
      defaults: { retry },
      methods: { '/rpcbreaker.ledger.v1.Ledger/*': { idempotent: false } },
    });
    server.failNext(1);
    expect(await callEach(client)).toEqual({
      GetBalance: grpc.status.UNAVAILABLE,
      SetLimit: grpc.status.UNAVAILABLE,
      Transfer: grpc.status.UNAVAILABLE,
    });
    expect(Object.fromEntries(server.calls)).toEqual({ GetBalance: 1, SetLimit: 1, Transfer: 1 });
  });

  it('treats a method the definition does not contain as not safe to repeat', async () => {
    // The interceptor knows only the Catalog service: Ledger methods are never retried.
    const { server, client } = await setup({
      packageDefinition: catalogDefinition,
      defaults: { retry },
    });
    server.failNext(1);
    expect((await callEach(client)).GetBalance).toBe(grpc.status.UNAVAILABLE);
    expect(server.count('GetBalance')).toBe(1);
  });
});

describe('without a packageDefinition', () => {
  it('retries every method unless its policy says idempotent: false, as before', async () => {
    const { server, client } = await setup({
      defaults: { retry },
      methods: { [p.setLimit]: { idempotent: false } },
    });
    server.failNext(1);
    expect(await callEach(client)).toEqual({
      GetBalance: grpc.status.OK,
      SetLimit: grpc.status.UNAVAILABLE,
      Transfer: grpc.status.OK,
    });
  });
});

describe('configurations that contradict the .proto', () => {
  function configError(options: GrpcBreakerOptions): Error | undefined {
    try {
      createGrpcBreakerInterceptor(options);
      return undefined;
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      return e as Error;
    }
  }
  const def = ledgerDefinition;

  it('rejects retries or a cache asked for at the own key of a method not marked safe', () => {
    expect(
      configError({ packageDefinition: def, methods: { [p.transfer]: { retry } } })?.message,
    ).toBe(
      `methods["${p.transfer}"].retry asks to retry a method not known to be safe to repeat ` +
        '(its idempotency_level is IDEMPOTENCY_UNKNOWN in packageDefinition); mark it ' +
        '`option idempotency_level = NO_SIDE_EFFECTS;` (or IDEMPOTENT) in its .proto, or set ' +
        '`idempotent: true` in its policy if repeating it is safe; got ' +
        '{"maxAttempts":3,"initialDelayMs":1,"maxDelayMs":2}',
    );
    expect(
      configError({ packageDefinition: def, methods: { [p.transfer]: { fallback: cache } } })
        ?.message,
    ).toMatch(/^methods\["[^"]+Transfer"\]\.fallback\.cache asks to answer from a cache/);
    expect(
      configError({
        packageDefinition: def,
        methods: { [p.getBalance]: { idempotent: false, retry } },
      })?.message,
    ).toMatch(/\(its policy says idempotent: false\)/);
    expect(
      configError({
        packageDefinition: catalogDefinition,
        methods: { [p.getBalance]: { retry } },
      })?.message,
    ).toMatch(/\(it is not in packageDefinition\)/);
  });

  it('rejects a key naming no method of a service in the definition, and a bad definition', () => {
    expect(
      configError({ packageDefinition: def, methods: { '/rpcbreaker.ledger.v1.Ledger/Nope': {} } })
        ?.message,
    ).toMatch(/names no method of service rpcbreaker\.ledger\.v1\.Ledger/);
    expect(configError({ packageDefinition: 5 as never })?.message).toMatch(/^packageDefinition /);
    expect(configError({ packageDefinition: {} })?.message).toMatch(/has no services/);
  });

  it('accepts retries and caches from wildcards and defaults, and at safe methods’ own keys', () => {
    expect(
      configError({
        packageDefinition: def,
        defaults: { retry, fallback: cache },
        methods: {
          '/rpcbreaker.ledger.v1.Ledger/*': { retry },
          [p.getBalance]: { retry, fallback: cache },
          [p.setLimit]: { retry },
          [p.transfer]: { idempotent: true, retry, fallback: cache },
          '/other.Svc/*': { retry },
        },
      }),
    ).toBeUndefined();
    // Retry switched off, or a value fallback, asks for nothing unsafe.
    expect(
      configError({
        packageDefinition: def,
        methods: { [p.transfer]: { retry: false, fallback: { value: { id: 'later' } } } },
      }),
    ).toBeUndefined();
  });
});

describe('idempotent: false without a package definition', () => {
  it('rejects retries or a cache asked for in the entry of a method marked idempotent: false', () => {
    expect(() =>
      createGrpcBreakerInterceptor({
        methods: { '/a.B/Write': { idempotent: false, retry: { maxAttempts: 3 } } },
      }),
    ).toThrow('methods["/a.B/Write"].retry asks to retry a method marked idempotent: false');
    expect(() =>
      createGrpcBreakerInterceptor({
        defaults: { idempotent: false },
        methods: { '/a.B/Write': { fallback: { cache: { ttlMs: 1_000 } } } },
      }),
    ).toThrow(
      'methods["/a.B/Write"].fallback.cache asks to answer from a cache a method marked idempotent: false',
    );
  });

  it('lets defaults and wildcards ask: the request is dropped for the unsafe methods', () => {
    expect(() =>
      createGrpcBreakerInterceptor({
        defaults: { retry: { maxAttempts: 3 }, fallback: { cache: { ttlMs: 1_000 } } },
        methods: { '/a.B/*': { retry: { maxAttempts: 2 } }, '/a.B/Write': { idempotent: false } },
      }),
    ).not.toThrow();
  });
});
