/**
 * The wrapped client as a user sees it: callbacks and Promises, members passing through, circuit
 * names, option errors, recovery, reconnects, and the calls npm thrift would queue or crash on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { ManualClock } from '../../src/core/clock.js';
import { isCircuitOpenError, isConfigError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { ThriftTimeoutError, ThriftTransportError } from '../../src/classify/thrift-call-errors.js';
import { CatalogServer, ok } from './helpers/catalog-server.js';
import { closedPort, connectCatalog, type Connected } from './helpers/clients.js';
import { gen, genEs6, type ClientStyle } from './helpers/generated.js';
import { delay, errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 2_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function server(port = 0): Promise<CatalogServer> {
  const s = await CatalogServer.start('framed-binary', port);
  cleanup.push(() => s.close());
  return s;
}

function track<C>(c: Connected<C>): Connected<C> {
  cleanup.push(() => c.close());
  return c;
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  const types = style === 'es6' ? genEs6.types : gen.types;
  describe(`wrapped ${style}-style client`, () => {
    it('still calls a trailing callback, and returns a Promise as well', async () => {
      const s = await server();
      const { client, connection } = track(connectCatalog(style, 'framed-binary', s.port));
      const rpc = wrapThriftClient(client, { connection, target: false }) as unknown as AnyRpc;
      const got = await new Promise<unknown[]>((resolve) => {
        const p = rpc.getItem!('a', (err: unknown, item: unknown) => resolve([err, item]));
        expect(p).toBeInstanceOf(Promise);
      });
      expect(got[0]).toBeNull();
      expect((got[1] as { name: string }).name).toBe('apple');
      const failed = await new Promise<unknown>((resolve) => {
        void rpc.getItem!('missing', (err: unknown) => resolve(err));
      });
      expect(failed).toBeInstanceOf(types.NotFound);
      // The Promise of a call made with a callback rejects too, without an unhandled rejection.
      const both = rpc.getItem!('missing', () => {});
      await expect(both).rejects.toBeInstanceOf(types.NotFound);
    });

    it('passes every non-RPC member through to the client', async () => {
      const s = await server();
      const { client, connection } = track(connectCatalog(style, 'framed-binary', s.port));
      const wrapped = wrapThriftClient(client, { connection, target: false });
      const w = wrapped as unknown as Record<string, unknown>;
      const c = client as unknown as Record<string, unknown>;
      expect(wrapped).toBeInstanceOf((style === 'es6' ? genEs6 : gen).Catalog.Client);
      expect(w._reqs).toBe(c._reqs);
      expect(w.output).toBe(c.output);
      expect(w.send_ping).toBe(c.send_ping);
      expect(w.recv_ping).toBe(c.recv_ping);
      expect(w.ping).not.toBe(c.ping);
      await (wrapped.ping as () => Promise<unknown>)();
      expect((w.seqid as () => number).call(wrapped)).toBe((c.seqid as () => number).call(client));
      w.custom = 'set through the wrapper';
      expect(c.custom).toBe('set through the wrapper');
    });

    it('names circuits service/method, from the client or the service option', async () => {
      const s = await server();
      const { client, connection } = track(connectCatalog(style, 'framed-binary', s.port));
      const registry = new CircuitRegistry();
      const a = wrapThriftClient(client, {
        connection,
        registry,
        target: false,
      }) as unknown as AnyRpc;
      const b = wrapThriftClient(client, {
        target: false, // circuits named <service>/<method>
        connection,
        registry,
        service: 'catalog-eu',
      }) as unknown as AnyRpc;
      await a.ping!();
      await b.getItem!('a');
      expect(
        registry
          .snapshot()
          .map((c) => c.name)
          .sort(),
      ).toEqual(['Catalog/ping', 'catalog-eu/getItem']);
    });

    it('ignores an error raised while writing the request: it is the caller’s, not the server’s', async () => {
      const s = await server();
      const { client, connection } = track(connectCatalog(style, 'framed-binary', s.port));
      const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 2 } } });
      const rpc = wrapThriftClient(client, {
        connection,
        registry,
        target: false,
      }) as unknown as AnyRpc;
      await rpc.ping!(); // connected, so a request would be written at once
      for (let i = 0; i < 3; i++) {
        const e = errorOf(await settle(rpc.getItem!(42), BOUND_MS));
        expect((e as Error).message).toMatch(/writeString called without a string/);
      }
      expect(registry.find('Catalog/getItem')?.state).toBe('closed');
      expect(s.count('getItem')).toBe(0);
      expect(await rpc.getItem!('b')).toMatchObject({ name: 'bread' });
    });

    it('half-opens after openMs and closes again on a successful probe', async () => {
      const s = await server();
      s.set({ kind: 'fail' });
      const { client, connection } = track(connectCatalog(style, 'framed-binary', s.port));
      const clock = new ManualClock();
      const registry = new CircuitRegistry({
        clock,
        defaults: { trip: { consecutiveFailures: 2 }, openMs: 1_000 },
      });
      const rpc = wrapThriftClient(client, {
        connection,
        registry,
        target: false,
      }) as unknown as AnyRpc;
      for (let i = 0; i < 2; i++) await settle(rpc.ping!(), BOUND_MS);
      expect(isCircuitOpenError(errorOf(await settle(rpc.ping!(), BOUND_MS)))).toBe(true);
      s.set(ok);
      clock.advance(1_000);
      expect(await rpc.ping!()).toBe('pong');
      expect(registry.find('Catalog/ping')?.state).toBe('closed');
      expect(s.count('ping')).toBe(3);
    });

    it('refuses calls while the connection reconnects and resumes once it is back', async () => {
      const s = await server();
      const port = s.port;
      const { client, connection } = track(
        connectCatalog(style, 'framed-binary', port, { maxAttempts: 100 }),
      );
      const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 50 } } });
      const rpc = wrapThriftClient(client, {
        target: false, // circuits named <service>/<method>
        connection,
        registry,
        defaults: { timeoutMs: 1_000 },
      }) as unknown as AnyRpc;
      expect(await rpc.ping!()).toBe('pong');
      await s.close();
      await delay(20);
      const refused = await settle(rpc.ping!(), BOUND_MS);
      expect((errorOf(refused) as ThriftTransportError).reason).toBe('down');
      expect(refused.ms).toBeLessThan(50);
      const again = await server(port);
      const end = Date.now() + 3_000;
      let answer: unknown;
      while (Date.now() < end) {
        const r = await settle(rpc.ping!(), BOUND_MS);
        if (r.ok) {
          answer = r.value;
          break;
        }
        await delay(25);
      }
      expect(answer).toBe('pong');
      expect(again.count('ping')).toBe(1); // refused calls were never queued and sent later
    });

    it('takes a call that timed out before the connection was made out of the send queue', async () => {
      const s = await server();
      const { client, connection } = track(connectCatalog(style, 'framed-binary', s.port));
      const rpc = wrapThriftClient(client, {
        target: false, // circuits named <service>/<method>
        connection,
        defaults: { timeoutMs: 1 },
      }) as unknown as AnyRpc;
      const p = settle(rpc.ping!(), BOUND_MS); // queued by npm thrift: not connected yet
      const until = performance.now() + 10;
      while (performance.now() < until); // the 1 ms deadline passes before 'connect' is seen
      expect(errorOf(await p)).toBeInstanceOf(ThriftTimeoutError);
      await delay(100);
      expect(s.count('ping')).toBe(0);
    });
  });
}

describe('wrapThriftClient options', () => {
  it('throws ConfigError for a methods key that is not an RPC method, naming the known ones', async () => {
    const { client } = track(connectCatalog('es6', 'framed-binary', await closedPort()));
    let caught: unknown;
    try {
      wrapThriftClient(client, { connection: null, methods: { nope: {} } as never });
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(
      /^methods\["nope"\] is not an RPC method of this client \(known: .*getItem.*, or '\*'\); got "nope"$/,
    );
  });

  it('throws ConfigError for bad policies, failure names, services and connections', async () => {
    const { client } = track(connectCatalog('callback', 'framed-binary', await closedPort()));
    const cases: Array<[unknown, RegExp]> = [
      [{ methods: { getItem: { failOn: ['Transport'] } } }, /^methods\["getItem"\]\.failOn\[0\]/],
      [{ defaults: { timeoutMs: -1 } }, /^defaults\.timeoutMs/],
      [{ methods: { '*': { circuit: { slowCallRate: 0.5 } } } }, /slowCallRate/],
      [{ service: '' }, /^service must be a non-empty string/],
      [{ connection: {} }, /^connection must be the thrift connection/],
      [{ retries: 3 }, /retries/],
    ];
    for (const [options, message] of cases) {
      let caught: unknown;
      try {
        wrapThriftClient(client, { connection: null, ...(options as object) } as never);
      } catch (e) {
        caught = e;
      }
      expect(isConfigError(caught), String(message)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('keeps an error listener: a refused connection with no other listener does not crash', async () => {
    const port = await closedPort();
    const { client, connection } = track(
      connectCatalog('es6', 'framed-binary', port, { bare: true }),
    );
    const rpc = wrapThriftClient(client, { connection, target: false }) as unknown as AnyRpc;
    const e = errorOf(await settle(rpc.ping!(), BOUND_MS));
    expect(e).toBeInstanceOf(ThriftTransportError);
    expect(((e as Error).cause as { code: string }).code).toBe('ECONNREFUSED');
  });
});
