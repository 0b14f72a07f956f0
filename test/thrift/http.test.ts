/**
 * The fault matrix over the HTTP transport (`createHttpConnection` against `createWebServer`, and
 * a plain HTTP server answering 503), for both generated client styles. npm thrift reports an
 * HTTP failure only as a connection `error`, leaving the call pending forever; the wrapper must
 * turn every one into a rejection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { thriftFailureCategory } from '../../src/classify/thrift-errors.js';
import { ThriftTimeoutError, ThriftTransportError } from '../../src/classify/thrift-call-errors.js';
import { CatalogServer, hang } from './helpers/catalog-server.js';
import {
  closedPort,
  connectCatalog,
  connectCatalogV2,
  startStatusServer,
  type Connected,
} from './helpers/clients.js';
import { gen, genEs6, type ClientStyle } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 2_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function open<C extends object>(conn: Connected<C>, timeoutMs = 300, service = 'Catalog') {
  cleanup.push(() => conn.close());
  const registry = new CircuitRegistry({
    defaults: { trip: { consecutiveFailures: 2 }, openMs: 60_000 },
  });
  const wrapped = wrapThriftClient(conn.client, {
    target: false, // circuits named <service>/<method>
    connection: conn.connection,
    registry,
    defaults: { timeoutMs },
  });
  const circuit = (m: string) => registry.find(`${service}/${m}`);
  return { rpc: wrapped as unknown as AnyRpc, circuit };
}

async function catalogServer(): Promise<CatalogServer> {
  const s = await CatalogServer.start('http');
  cleanup.push(() => s.close());
  return s;
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  const types = style === 'es6' ? genEs6.types : gen.types;
  describe(`${style}-style client over HTTP`, () => {
    it('answers normal calls and passes declared exceptions through as successes', async () => {
      const s = await catalogServer();
      const { rpc, circuit } = open(connectCatalog(style, 'http', s.port));
      expect(await rpc.ping!()).toBe('pong');
      for (let i = 0; i < 3; i++) {
        expect(errorOf(await settle(rpc.getItem!('missing'), BOUND_MS))).toBeInstanceOf(
          types.NotFound,
        );
      }
      expect(circuit('getItem')?.state).toBe('closed');
    });

    it('rejects on HTTP 503 as a transport failure instead of hanging, and opens', async () => {
      const s503 = await startStatusServer(503);
      cleanup.push(() => s503.close());
      const { rpc, circuit } = open(connectCatalog(style, 'http', s503.port), 5_000);
      for (let i = 0; i < 2; i++) {
        const r = await settle(rpc.getItem!('a'), BOUND_MS);
        const e = errorOf(r);
        expect(e).toBeInstanceOf(ThriftTransportError);
        expect(thriftFailureCategory(e)).toBe('transport');
        const cause = (e as Error).cause as { name: string; statusCode: number };
        expect(cause.name).toBe('THTTPException');
        expect(cause.statusCode).toBe(503);
        expect(r.ms).toBeLessThan(1_000);
      }
      expect(circuit('getItem')?.state).toBe('open');
      expect(isCircuitOpenError(errorOf(await settle(rpc.getItem!('a'), BOUND_MS)))).toBe(true);
    });

    it('rejects calls to a refused port as transport failures', async () => {
      const port = await closedPort();
      const { rpc, circuit } = open(connectCatalog(style, 'http', port), 5_000);
      for (let i = 0; i < 2; i++) {
        const r = await settle(rpc.ping!(), BOUND_MS);
        expect(thriftFailureCategory(errorOf(r))).toBe('transport');
        expect(r.ms).toBeLessThan(1_000);
      }
      expect(circuit('ping')?.state).toBe('open');
    });

    it('ends calls to a hung server at the deadline', async () => {
      const s = await catalogServer();
      s.set(hang);
      const { rpc, circuit } = open(connectCatalog(style, 'http', s.port), 200);
      const rs = await Promise.all([1, 2].map(() => settle(rpc.ping!(), BOUND_MS)));
      for (const r of rs) expect(errorOf(r)).toBeInstanceOf(ThriftTimeoutError);
      expect(circuit('ping')?.state).toBe('open');
    });

    it('fails a call whose connection the server cuts mid-call', async () => {
      const s = await catalogServer();
      s.set({ kind: 'close' });
      const { rpc } = open(connectCatalog(style, 'http', s.port), 5_000);
      const r = await settle(rpc.ping!(), BOUND_MS);
      expect(thriftFailureCategory(errorOf(r))).toBe('transport');
      expect(r.ms).toBeLessThan(1_000);
    });

    it('counts an undeclared error, an unknown method and a null reply as application failures', async () => {
      const s = await catalogServer();
      s.setMethod('ping', { kind: 'fail' });
      const { rpc } = open(connectCatalog(style, 'http', s.port));
      expect((errorOf(await settle(rpc.ping!(), BOUND_MS)) as Error).name).toBe(
        'TApplicationException',
      );
      expect(errorOf(await settle(rpc.findByName!('none'), BOUND_MS))).toBe(
        'findByName failed: unknown result',
      );
      const v2 = open(connectCatalogV2(style, 'http', s.port), 300, 'CatalogV2');
      const e = errorOf(await settle(v2.rpc.getItemCount!(), BOUND_MS));
      expect(thriftFailureCategory(e)).toBe('application');
      expect(v2.circuit('getItemCount')?.snapshot()).toMatchObject({ state: 'closed' });
    });
  });
}
