/**
 * What the Thrift response cache holds and hands out, against a real server, for both generated
 * client styles: every hit is the caller's own deep copy (generated structs stay instances of
 * their class), and the key is the arguments as they were sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry, type FallbackEvent } from '../../src/registry/circuit-registry.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import type { ThriftBreakerOptions } from '../../src/thrift/types.js';
import { CatalogServer } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import { gen, genEs6, type ClientStyle, type Es6CatalogClient } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 2_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;
interface ItemShape {
  id: string;
  name: string;
  priceCents: number;
  tags: string[];
  write?: unknown;
}

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(
  style: ClientStyle,
  options: Partial<ThriftBreakerOptions<Es6CatalogClient>> = {},
) {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog(style, 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  const registry = new CircuitRegistry();
  const fallbacks: FallbackEvent[] = [];
  registry.onFallback((e) => fallbacks.push(e));
  const rpc = wrapThriftClient(conn.client as Es6CatalogClient, {
    target: false, // circuits named <service>/<method>
    connection: conn.connection,
    ...options,
    registry,
  }) as unknown as AnyRpc;
  return { s, rpc, registry, fallbacks };
}

const cache = { defaults: { timeoutMs: 1_000, fallback: { cache: { ttlMs: 60_000 } } } };

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  const types = style === 'es6' ? genEs6.types : gen.types;
  describe(`the response cache of a ${style}-style client`, () => {
    it('gives every hit its own copy, still an instance of the generated struct', async () => {
      const { rpc, registry } = await setup(style, cache);
      const fresh = (await rpc.getItem!('a')) as ItemShape;
      const original = { ...fresh, tags: [...fresh.tags] };
      fresh.name = 'changed by the first caller';
      fresh.tags.push('changed');
      registry.get('Catalog/getItem').forceOpen();

      const hit1 = (await rpc.getItem!('a')) as ItemShape;
      expect(hit1).toBeInstanceOf(types.Item);
      expect({ ...hit1 }).toEqual(original);
      hit1.name = 'changed by the second caller';
      hit1.tags.length = 0;
      const hit2 = (await rpc.getItem!('a')) as ItemShape;
      expect({ ...hit2 }).toEqual(original);
      expect(hit2).not.toBe(hit1);
    });

    it('copies lists of structs too', async () => {
      const { rpc, registry } = await setup(style, cache);
      const fresh = (await rpc.listItems!(2)) as ItemShape[];
      const names = fresh.map((i) => i.name);
      fresh[0]!.name = 'changed';
      fresh.pop();
      registry.get('Catalog/listItems').forceOpen();
      const hit = (await rpc.listItems!(2)) as ItemShape[];
      expect(hit.map((i) => i.name)).toEqual(names);
      expect(hit[0]).toBeInstanceOf(types.Item);
    });

    it('keys the reply by the arguments as sent, not as the caller changed them later', async () => {
      const { rpc, registry, fallbacks } = await setup(style, cache);
      const item = new types.Item({ id: 'sent', name: 'n', priceCents: 1, tags: [] });
      const call = rpc.putItem!(item);
      item.id = 'changed after sending';
      await call;
      registry.get('Catalog/putItem').forceOpen();

      const same = new types.Item({ id: 'sent', name: 'n', priceCents: 1, tags: [] });
      expect(await settle(rpc.putItem!(same), BOUND_MS)).toMatchObject({ ok: true });
      expect(fallbacks.map((e) => e.kind)).toEqual(['cache']);
      const changed = await settle(rpc.putItem!(item), BOUND_MS);
      expect(isCircuitOpenError(errorOf(changed))).toBe(true);
    });
  });
}
