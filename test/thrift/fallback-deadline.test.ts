/**
 * The Thrift call deadline covers an async fallback too: a fallback function that never settles
 * ends the call with ThriftTimeoutError at the deadline (it used to hang the call for ever), and
 * one that settles in time still answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { isThriftTimeoutError } from '../../src/classify/thrift-call-errors.js';
import { CatalogServer } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import type { ClientStyle, Es6CatalogClient } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function wrapped(
  style: ClientStyle,
  value: () => Promise<unknown>,
  serveOn: 'open' | 'open-or-failure',
) {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog(style, 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 100 } } });
  const rpc = wrapThriftClient(conn.client as Es6CatalogClient, {
    target: false, // circuits named <service>/<method>
    connection: conn.connection,
    registry,
    defaults: { timeoutMs: 200, fallback: { value, cache: { ttlMs: 1_000, serveOn } } },
  });
  return { s, rpc, registry };
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  describe(`an async fallback of a ${style}-style client`, () => {
    it('that never settles ends an open circuit’s call at the deadline', async () => {
      const { rpc, registry } = await wrapped(style, () => new Promise(() => {}), 'open');
      registry.get('Catalog/getItem').forceOpen();
      const r = await settle(rpc.getItem('a'), 3_000);
      expect(isThriftTimeoutError(errorOf(r))).toBe(true);
      expect(r.ms).toBeGreaterThanOrEqual(150);
      expect(registry.find('Catalog/getItem')?.snapshot().counts.fallbacks).toBe(0);
    });

    it('that never settles ends a failed call at the deadline', async () => {
      const { s, rpc } = await wrapped(style, () => new Promise(() => {}), 'open-or-failure');
      s.set({ kind: 'fail' });
      const r = await settle(rpc.getItem('a'), 3_000);
      expect(isThriftTimeoutError(errorOf(r))).toBe(true);
    });

    it('that settles in time still answers', async () => {
      const value = () => new Promise((r) => setTimeout(() => r({ id: 'spare' }), 20));
      const { rpc, registry } = await wrapped(style, value, 'open');
      registry.get('Catalog/getItem').forceOpen();
      expect(await settle(rpc.getItem('a'), 3_000)).toMatchObject({
        ok: true,
        value: { id: 'spare' },
      });
    });
  });
}
