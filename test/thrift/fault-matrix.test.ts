/**
 * The fault matrix over TCP: every way a Thrift call can go wrong, for both generated client
 * styles (js:node callbacks, es6 Promises) and both TCP wire formats (framed/binary,
 * buffered/compact), against real servers on 127.0.0.1. Each case asserts the outcome the caller
 * sees, the state of the method's circuit, and that no call hangs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import type { ThriftBreakerOptions } from '../../src/thrift/types.js';
import { thriftFailureCategory } from '../../src/classify/thrift-errors.js';
import { ThriftTimeoutError, ThriftTransportError } from '../../src/classify/thrift-call-errors.js';
import { CatalogServer, hang, slow, type WireKind } from './helpers/catalog-server.js';
import { closedPort, connectCatalog, connectCatalogV2, type Connected } from './helpers/clients.js';
import { gen, genEs6, type ClientStyle } from './helpers/generated.js';
import { delay, errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const TRIP = { trip: { consecutiveFailures: 3 }, openMs: 60_000 };
/** A call that is not failed by its connection ends by this bound (deadline + slack). */
const TIMEOUT_MS = 300;
const BOUND_MS = 2_000;

type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(kind: WireKind): Promise<CatalogServer> {
  const s = await CatalogServer.start(kind);
  cleanup.push(() => s.close());
  return s;
}

function open<C extends object>(
  conn: Connected<C>,
  options: Partial<ThriftBreakerOptions<C>> = {},
) {
  cleanup.push(() => conn.close());
  const registry = new CircuitRegistry({ defaults: TRIP });
  const wrapped = wrapThriftClient(conn.client, {
    target: false, // circuits named <service>/<method>
    connection: conn.connection,
    registry,
    defaults: { timeoutMs: TIMEOUT_MS },
    ...options,
  });
  const circuit = (method: string) => registry.find(`${options.service ?? 'Catalog'}/${method}`);
  return { rpc: wrapped as unknown as AnyRpc, registry, circuit, client: conn.client };
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  const types = style === 'es6' ? genEs6.types : gen.types;
  for (const kind of ['framed-binary', 'buffered-compact'] as const) {
    describe(`${style}-style client over ${kind}`, () => {
      it('answers a normal call and keeps the circuit closed', async () => {
        const s = await server(kind);
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port));
        const r = await settle(rpc.getItem!('a'), BOUND_MS);
        expect(r.ok && (r.value as { name: string }).name).toBe('apple');
        expect(await rpc.ping!()).toBe('pong');
        expect(circuit('getItem')?.state).toBe('closed');
      });

      it('passes a declared exception through as a success: the circuit stays closed', async () => {
        const s = await server(kind);
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port));
        for (let i = 0; i < 4; i++) {
          const e = errorOf(await settle(rpc.getItem!('missing'), BOUND_MS));
          expect(e).toBeInstanceOf(types.NotFound);
          expect((e as { id: string }).id).toBe('missing');
          expect(thriftFailureCategory(e)).toBe('declared');
        }
        expect(circuit('getItem')?.state).toBe('closed');
        expect(s.count('getItem')).toBe(4);
      });

      it('counts a declared exception class listed in failOn and opens', async () => {
        const s = await server(kind);
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port), {
          methods: { getItem: { failOn: [types.NotFound] } },
        });
        for (let i = 0; i < 3; i++) await settle(rpc.getItem!('missing'), BOUND_MS);
        expect(circuit('getItem')?.state).toBe('open');
        const e = errorOf(await settle(rpc.getItem!('a'), BOUND_MS));
        expect(isCircuitOpenError(e)).toBe(true);
        expect(s.count('getItem')).toBe(3);
      });

      it('counts an undeclared server error as an application failure and opens', async () => {
        const s = await server(kind);
        s.set({ kind: 'fail' });
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port));
        for (let i = 0; i < 3; i++) {
          const e = errorOf(await settle(rpc.ping!(), BOUND_MS));
          expect((e as Error).name).toBe('TApplicationException');
          expect(thriftFailureCategory(e)).toBe('application');
        }
        expect(circuit('ping')?.state).toBe('open');
        const r = await settle(rpc.ping!(), BOUND_MS);
        expect(isCircuitOpenError(errorOf(r))).toBe(true);
        expect(r.ms).toBeLessThan(50);
        expect(s.count('ping')).toBe(3);
        // Other methods have their own circuits.
        expect(circuit('getItem')).toBeUndefined();
      });

      it('counts an unknown method as an application failure', async () => {
        const s = await server(kind);
        const conn = connectCatalogV2(style, kind, s.port);
        const { rpc, circuit } = open(conn, { service: 'CatalogV2' });
        for (let i = 0; i < 3; i++) {
          const e = errorOf(await settle(rpc.getItemCount!(), BOUND_MS));
          expect((e as Error).message).toMatch(/Unknown function getItemCount/);
          expect(thriftFailureCategory(e)).toBe('application');
        }
        expect(circuit('getItemCount')?.state).toBe('open');
        expect(await rpc.ping!()).toBe('pong'); // inherited from Health, still fine
      });

      it('rejects calls to a refused port at once as transport failures and opens', async () => {
        const port = await closedPort();
        const { rpc, circuit } = open(connectCatalog(style, kind, port), {
          defaults: { timeoutMs: 5_000 },
        });
        for (let i = 0; i < 3; i++) {
          const r = await settle(rpc.ping!(), BOUND_MS);
          const e = errorOf(r);
          expect(e).toBeInstanceOf(ThriftTransportError);
          expect(thriftFailureCategory(e)).toBe('transport');
          expect(r.ms).toBeLessThan(1_000); // not the 5 s deadline
        }
        expect(circuit('ping')?.state).toBe('open');
        expect(isCircuitOpenError(errorOf(await settle(rpc.ping!(), BOUND_MS)))).toBe(true);
      });

      it('fails a pending call at once when the server closes the connection mid-call', async () => {
        const s = await server(kind);
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port), {
          defaults: { timeoutMs: 5_000 },
        });
        expect(await rpc.ping!()).toBe('pong');
        s.set({ kind: 'close' });
        const r = await settle(rpc.getItem!('a'), BOUND_MS);
        const e = errorOf(r);
        expect(e).toBeInstanceOf(ThriftTransportError);
        expect((e as ThriftTransportError).reason).toBe('closed');
        expect(r.ms).toBeLessThan(1_000);
        // The connection is down (no reconnect configured): later calls are refused, not queued.
        const calls = s.count('getItem');
        for (let i = 0; i < 2; i++) {
          const later = errorOf(await settle(rpc.getItem!('a'), BOUND_MS));
          expect((later as ThriftTransportError).reason).toBe('down');
        }
        expect(s.count('getItem')).toBe(calls);
        expect(circuit('getItem')?.state).toBe('open');
      });

      it('ends calls to a hung server at their deadline and opens', async () => {
        const s = await server(kind);
        s.set(hang);
        const { rpc, circuit, client } = open(connectCatalog(style, kind, s.port));
        const results = await Promise.all([1, 2, 3].map(() => settle(rpc.getItem!('a'), BOUND_MS)));
        for (const r of results) {
          expect(errorOf(r)).toBeInstanceOf(ThriftTimeoutError);
          expect(thriftFailureCategory(errorOf(r))).toBe('timeout');
          expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
        }
        expect(circuit('getItem')?.state).toBe('open');
        expect(Object.keys((client as unknown as { _reqs: object })._reqs)).toEqual([]);
      });

      it('drops the late reply of a timed-out call; the next call gets its own reply', async () => {
        const s = await server(kind);
        const { rpc, client } = open(connectCatalog(style, kind, s.port), {
          defaults: { timeoutMs: 150 },
        });
        const late = await settle(rpc.delayedEcho!('late', 300), BOUND_MS);
        expect(errorOf(late)).toBeInstanceOf(ThriftTimeoutError);
        await delay(300); // the server's reply to the timed-out call arrives meanwhile
        expect(await rpc.delayedEcho!('fresh', 0)).toBe('fresh');
        expect(Object.keys((client as unknown as { _reqs: object })._reqs)).toEqual([]);
      });

      it('counts slow replies against slowCallRate while the calls succeed', async () => {
        const s = await server(kind);
        s.setMethod('listItems', slow(80));
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port), {
          defaults: {
            timeoutMs: 2_000,
            circuit: {
              trip: { failureRate: 0.5, minimumCalls: 2, windowCalls: 4 },
              slowCallMs: 40,
              slowCallRate: 0.5,
            },
          },
        });
        for (let i = 0; i < 2; i++) {
          const r = await settle(rpc.listItems!(5), BOUND_MS);
          expect(r.ok).toBe(true);
        }
        expect(circuit('listItems')?.state).toBe('open');
      });

      it('rejects a null reply for a non-void method as an application failure', async () => {
        const s = await server(kind);
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port));
        for (let i = 0; i < 3; i++) {
          const e = errorOf(await settle(rpc.findByName!('nothing'), BOUND_MS));
          expect(e).toBe('findByName failed: unknown result');
          expect(thriftFailureCategory(e)).toBe('application');
        }
        expect(circuit('findByName')?.state).toBe('open');
      });

      it('guards a oneway method: sent while up, refused as a transport failure while down', async () => {
        const s = await server(kind);
        const { rpc, circuit } = open(connectCatalog(style, kind, s.port));
        expect(await settle(rpc.recordView!('a'), BOUND_MS)).toMatchObject({ ok: true });
        expect(await rpc.ping!()).toBe('pong'); // the view arrived before this reply
        expect(s.views).toEqual(['a']);
        s.dropConnections();
        await delay(50);
        for (let i = 0; i < 3; i++) {
          const e = errorOf(await settle(rpc.recordView!('b'), BOUND_MS));
          expect(e).toBeInstanceOf(ThriftTransportError);
        }
        expect(circuit('recordView')?.state).toBe('open');
      });
    });
  }
}
