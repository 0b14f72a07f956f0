/**
 * Fallbacks and retries through the Thrift wrapper, for both generated client styles, against a
 * real server: last-known-good answers keyed by the arguments, value fallbacks with their call
 * context, failure fallbacks, oneway methods left without one, and retries that stop at the
 * deadline, at an open circuit, and at answers that are not failures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry, type FallbackEvent } from '../../src/registry/circuit-registry.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import type { ThriftBreakerOptions } from '../../src/thrift/types.js';
import type { CallContext } from '../../src/classify/call-context.js';
import { ThriftTimeoutError } from '../../src/classify/thrift-call-errors.js';
import { CatalogServer, hang } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import { gen, genEs6, type ClientStyle, type Es6CatalogClient } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 2_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Both styles have the same method names; the es6 type stands for either in the options. */
async function setup(
  style: ClientStyle,
  options: Partial<ThriftBreakerOptions<Es6CatalogClient>> = {},
) {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog(style, 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  const registry =
    options.registry ??
    new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 2 }, openMs: 60_000 } });
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

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  const types = style === 'es6' ? genEs6.types : gen.types;
  describe(`fallbacks of a ${style}-style client`, () => {
    it('serves the last known good reply for the same arguments while the circuit is open', async () => {
      const { s, rpc, registry, fallbacks } = await setup(style, {
        defaults: { timeoutMs: 500, fallback: { cache: { ttlMs: 60_000 } } },
      });
      expect(await rpc.getItem!('a')).toMatchObject({ name: 'apple' });
      s.set({ kind: 'fail' });
      for (let i = 0; i < 2; i++) await settle(rpc.getItem!('b'), BOUND_MS);
      expect(registry.find('Catalog/getItem')?.state).toBe('open');
      const served = await settle(rpc.getItem!('a'), BOUND_MS);
      expect(served).toMatchObject({ ok: true, value: { id: 'a', name: 'apple' } });
      // Never answered for other arguments: 'b' was not cached.
      expect(isCircuitOpenError(errorOf(await settle(rpc.getItem!('b'), BOUND_MS)))).toBe(true);
      expect(s.count('getItem')).toBe(3);
      expect(fallbacks).toEqual([{ name: 'Catalog/getItem', kind: 'cache', method: 'getItem' }]);
      expect(registry.find('Catalog/getItem')?.snapshot().counts).toMatchObject({ fallbacks: 1 });
    });

    it('answers a callback call from the fallback too', async () => {
      const { s, rpc } = await setup(style, {
        methods: { ping: { fallback: { value: 'fallback-pong' } } },
      });
      s.set({ kind: 'fail' });
      for (let i = 0; i < 2; i++) await settle(rpc.ping!(), BOUND_MS);
      const got = await new Promise<unknown[]>((resolve) => {
        void rpc.ping!((err: unknown, v: unknown) => resolve([err, v]));
      });
      expect(got).toEqual([null, 'fallback-pong']);
    });

    it('computes a value fallback from the call context', async () => {
      const seen: CallContext[] = [];
      const { s, rpc, fallbacks } = await setup(style, {
        methods: {
          getItem: {
            fallback: {
              value: (ctx: CallContext) => {
                seen.push(ctx);
                const [id] = ctx.request as [string];
                return new types.Item({ id, name: 'placeholder', priceCents: 0, tags: [] });
              },
            },
          },
        },
      });
      s.set({ kind: 'fail' });
      for (let i = 0; i < 2; i++) await settle(rpc.getItem!('a'), BOUND_MS);
      expect(await rpc.getItem!('z')).toMatchObject({ id: 'z', name: 'placeholder' });
      expect(seen).toEqual([
        {
          system: 'thrift',
          method: 'getItem',
          circuit: 'Catalog/getItem',
          request: ['z'],
          metadata: {},
          attempt: 1,
        },
      ]);
      expect(fallbacks).toMatchObject([{ kind: 'value' }]);
    });

    it('answers a failed call from the cache with serveOn open-or-failure', async () => {
      const { s, rpc, registry } = await setup(style, {
        defaults: { fallback: { cache: { ttlMs: 60_000, serveOn: 'open-or-failure' } } },
      });
      expect(await rpc.listItems!(1)).toHaveLength(1);
      s.set({ kind: 'fail' });
      const r = await settle(rpc.listItems!(1), BOUND_MS);
      expect(r.ok && (r.value as unknown[]).length).toBe(1);
      expect(registry.find('Catalog/listItems')?.state).toBe('closed'); // the failure still counted
      await settle(rpc.listItems!(1), BOUND_MS);
      expect(registry.find('Catalog/listItems')?.state).toBe('open');
    });

    it('never caches the replies of a method marked idempotent: false', async () => {
      const { s, rpc, registry } = await setup(style, {
        defaults: { fallback: { cache: { ttlMs: 60_000 } } },
        methods: { putItem: { idempotent: false } },
      });
      const item = new types.Item({ id: 'w', name: 'write', priceCents: 1, tags: [] });
      await rpc.putItem!(item);
      registry.get('Catalog/putItem').forceOpen();
      expect(isCircuitOpenError(errorOf(await settle(rpc.putItem!(item), BOUND_MS)))).toBe(true);
      expect(s.count('putItem')).toBe(1);
    });

    it('never answers a oneway method from a fallback', async () => {
      const { s, rpc, registry } = await setup(style, {
        methods: { '*': { fallback: { value: 'nope' } } },
      });
      registry.get('Catalog/recordView').forceOpen();
      expect(isCircuitOpenError(errorOf(await settle(rpc.recordView!('a'), BOUND_MS)))).toBe(true);
      expect(s.views).toEqual([]);
    });
  });

  describe(`retries of a ${style}-style client`, () => {
    it('retries failed calls and returns the answer once the server recovers', async () => {
      const { s, rpc, registry } = await setup(style, {
        defaults: { retry: { maxAttempts: 3, initialDelayMs: 5 } },
        registry: new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 5 } } }),
      });
      s.set({ kind: 'flaky', times: 2 });
      expect(await rpc.getItem!('a')).toMatchObject({ name: 'apple' });
      expect(s.count('getItem')).toBe(3);
      expect(registry.find('Catalog/getItem')?.state).toBe('closed');
    });

    it('does not retry a declared exception, nor a method marked idempotent: false', async () => {
      const { s, rpc } = await setup(style, {
        defaults: { retry: { maxAttempts: 3, initialDelayMs: 5 } },
        methods: { putItem: { idempotent: false } },
      });
      expect(errorOf(await settle(rpc.getItem!('missing'), BOUND_MS))).toBeInstanceOf(
        types.NotFound,
      );
      expect(s.count('getItem')).toBe(1);
      s.set({ kind: 'fail' });
      const item = new types.Item({ id: 'n', name: 'new', priceCents: 1, tags: [] });
      await settle(rpc.putItem!(item), BOUND_MS);
      expect(s.count('putItem')).toBe(1);
    });

    it('stops retrying at the deadline, which covers every attempt', async () => {
      const { s, rpc } = await setup(style, {
        defaults: { timeoutMs: 200, retry: { maxAttempts: 5, initialDelayMs: 5 } },
      });
      s.set(hang);
      const r = await settle(rpc.getItem!('a'), BOUND_MS);
      expect(errorOf(r)).toBeInstanceOf(ThriftTimeoutError);
      expect(r.ms).toBeLessThan(400);
      expect(s.count('getItem')).toBe(1);
    });

    it('ends with the real failure, not CircuitOpenError, when the circuit opens mid-retries', async () => {
      const { s, rpc, registry } = await setup(style, {
        defaults: { retry: { maxAttempts: 5, initialDelayMs: 5 } },
      });
      s.set({ kind: 'fail' });
      const e = errorOf(await settle(rpc.getItem!('a'), BOUND_MS));
      expect((e as Error).name).toBe('TApplicationException');
      expect(s.count('getItem')).toBe(2); // trips after 2 failures: no third attempt
      expect(registry.find('Catalog/getItem')?.state).toBe('open');
    });
  });
}
