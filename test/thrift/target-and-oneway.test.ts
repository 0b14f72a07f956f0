/**
 * Per-target circuit names and oneway fallbacks. Two wrapped clients of one service to two different servers, on one registry: with `target`,
 * server B failing opens only B's circuits and calls to A keep succeeding; without it (the old
 * default) they would share — and the test shows that too, so the option is what isolates them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { ConfigError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { CatalogServer } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import { expectHandlesClosed } from './helpers/handles.js';

type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function pair(target: boolean | undefined) {
  const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 2 } } });
  const servers = await Promise.all([
    CatalogServer.start('framed-binary'),
    CatalogServer.start('framed-binary'),
  ]);
  cleanup.push(() => Promise.all(servers.map((s) => s.close())));
  const clients = servers.map((s) => {
    const conn = connectCatalog('es6', 'framed-binary', s.port);
    cleanup.push(() => conn.close());
    return wrapThriftClient(conn.client, {
      connection: conn.connection,
      registry,
      ...(target === undefined ? {} : { target }),
    }) as unknown as AnyRpc;
  });
  return { registry, servers, a: clients[0]!, b: clients[1]! };
}

describe('Thrift circuits per target', () => {
  it('keeps a failing server from opening the circuits of a healthy one, by default', async () => {
    const { registry, servers, a, b } = await pair(undefined);
    servers[1]!.set({ kind: 'fail' });
    for (let i = 0; i < 3; i++) await b.getItem!('a').catch(() => {});
    await expect(b.getItem!('a')).rejects.toSatisfy(isCircuitOpenError);
    for (let i = 0; i < 5; i++) await expect(a.getItem!('a')).resolves.toBeTruthy();
    const names = registry.snapshot().map((s) => [s.name, s.state]);
    expect(names).toEqual(
      expect.arrayContaining([
        [`127.0.0.1:${servers[0]!.port}/Catalog/getItem`, 'closed'],
        [`127.0.0.1:${servers[1]!.port}/Catalog/getItem`, 'open'],
      ]),
    );
  });

  it('names the circuits by the connection with target: true, as by default', async () => {
    const { registry, servers } = await pair(true);
    expect(registry.snapshot().map((c) => c.name)).toEqual([]);
    const conn = connectCatalog('es6', 'framed-binary', servers[0]!.port);
    cleanup.push(() => conn.close());
    const rpc = wrapThriftClient(conn.client, {
      connection: conn.connection,
      registry,
      target: true,
    });
    await (rpc as unknown as AnyRpc).getItem!('a');
    expect(registry.snapshot().map((c) => c.name)).toEqual([
      `127.0.0.1:${servers[0]!.port}/Catalog/getItem`,
    ]);
  });

  it('shares one circuit between targets when asked to, with target: false', async () => {
    const { servers, a, b } = await pair(false);
    servers[1]!.set({ kind: 'fail' });
    for (let i = 0; i < 3; i++) await b.getItem!('a').catch(() => {});
    await expect(a.getItem!('a')).rejects.toSatisfy(isCircuitOpenError);
  });

  it('refuses a target that is neither a name nor true', () => {
    const conn = connectCatalog('es6', 'framed-binary', 1);
    cleanup.push(() => conn.close());
    for (const target of ['', 42, {}])
      expect(() =>
        wrapThriftClient(conn.client, { connection: conn.connection, target: target as never }),
      ).toThrow(ConfigError);
  });
});

describe('fallbacks on oneway methods', () => {
  it('refuses one on a oneway method’s own entry, and lets defaults pass over oneway methods', () => {
    const conn = connectCatalog('es6', 'framed-binary', 1);
    cleanup.push(() => conn.close());
    const wrap = (options: object) =>
      wrapThriftClient(conn.client, { connection: conn.connection, ...options });
    expect(() => wrap({ methods: { recordView: { fallback: { value: null } } } })).toThrow(
      'methods["recordView"].fallback is set on a oneway method',
    );
    expect(() => wrap({ defaults: { fallback: { value: null } } })).not.toThrow();
    expect(() => wrap({ methods: { '*': { fallback: { value: null } } } })).not.toThrow();
  });
});
