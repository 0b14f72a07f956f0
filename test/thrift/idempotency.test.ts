/**
 * Idempotency through the per-method `idempotent` flag of the Thrift wrapper, against a real
 * server: `idempotent: false` in `defaults` and `idempotent: true` on the methods one vouches for
 * restricts retries and the response cache to those; and an entry asking for either on a method
 * marked `idempotent: false` is a ConfigError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { isCircuitOpenError, isConfigError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import type { ThriftBreakerOptions } from '../../src/thrift/types.js';
import { CatalogServer } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import type { ClientStyle, Es6CatalogClient } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 2_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;
type Options = Partial<ThriftBreakerOptions<Es6CatalogClient>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const retry = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
const cache = { cache: { ttlMs: 60_000 } };

async function setup(style: ClientStyle, options: Options) {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog(style, 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 100 } } });
  const rpc = wrapThriftClient(conn.client as Es6CatalogClient, {
    target: false, // circuits named <service>/<method>
    connection: conn.connection,
    ...options,
    registry,
  }) as unknown as AnyRpc;
  return { s, rpc, registry };
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  describe(`a ${style}-style client with idempotent: false by default`, () => {
    const options: Options = {
      defaults: { idempotent: false, timeoutMs: 500, retry, fallback: cache },
      methods: { getItem: { idempotent: true } },
    };

    it('retries only the methods marked idempotent: true', async () => {
      const { s, rpc } = await setup(style, options);
      s.set({ kind: 'flaky', times: 1 });
      expect(await settle(rpc.getItem!('a'), BOUND_MS)).toMatchObject({ ok: true });
      expect((await settle(rpc.listItems!(1), BOUND_MS)).ok).toBe(false);
      expect(s.count('getItem')).toBe(2);
      expect(s.count('listItems')).toBe(1);
    });

    it('answers only those from the cache when the circuit is open', async () => {
      const { s, rpc, registry } = await setup(style, options);
      const item = await rpc.getItem!('a');
      await rpc.listItems!(1);
      registry.get('Catalog/getItem').forceOpen();
      registry.get('Catalog/listItems').forceOpen();
      expect(await settle(rpc.getItem!('a'), BOUND_MS)).toMatchObject({ ok: true, value: item });
      const list = await settle(rpc.listItems!(1), BOUND_MS);
      expect(isCircuitOpenError(errorOf(list))).toBe(true);
      expect(s.count('getItem') + s.count('listItems')).toBe(2);
    });
  });
}

describe('configurations that contradict idempotent: false', () => {
  async function configError(options: Options): Promise<Error | undefined> {
    const s = await CatalogServer.start('framed-binary');
    cleanup.push(() => s.close());
    const conn = connectCatalog('es6', 'framed-binary', s.port);
    cleanup.push(() => conn.close());
    try {
      wrapThriftClient(conn.client, { connection: conn.connection, ...options });
      return undefined;
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      return e as Error;
    }
  }

  it('rejects retries or a cache asked for in the entry of a method marked idempotent: false', async () => {
    expect(
      (await configError({ methods: { putItem: { idempotent: false, retry } } }))?.message,
    ).toBe(
      'methods["putItem"].retry asks to retry a method marked idempotent: false (here); ' +
        'remove it, or set idempotent: true in this entry if repeating putItem is safe; got ' +
        '{"maxAttempts":3,"initialDelayMs":1,"maxDelayMs":2}',
    );
    expect(
      (
        await configError({
          defaults: { idempotent: false },
          methods: { getItem: { fallback: cache } },
        })
      )?.message,
    ).toMatch(/^methods\["getItem"\]\.fallback\.cache .* \(by defaults or by "\*"\)/);
    expect(
      (await configError({ methods: { '*': { idempotent: false }, ping: { retry } } }))?.message,
    ).toMatch(/^methods\["ping"\]\.retry /);
  });

  it('accepts retries and caches from defaults, value fallbacks, and idempotent: true entries', async () => {
    expect(
      await configError({
        defaults: { idempotent: false, retry, fallback: cache },
        methods: {
          putItem: { idempotent: false, retry: false, fallback: { value: null } },
          getItem: { idempotent: true, retry, fallback: cache },
          '*': { retry },
        },
      }),
    ).toBeUndefined();
  });
});
