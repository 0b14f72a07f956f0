/**
 * A connection closed by its user while the wrapper still has something to do for a call: a retry
 * waiting for its delay, a fallback function still running, a half-open probe. Whatever runs
 * later must end the call with an answer (never hang, never throw out of a timer), for both
 * generated styles, with and without the wrapper watching the connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { createThriftProbe } from '../../src/thrift/probe.js';
import {
  isThriftTimeoutError,
  isThriftTransportError,
} from '../../src/classify/thrift-call-errors.js';
import { CatalogServer } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import type { ClientStyle, Es6CatalogClient } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 3_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function connected(style: ClientStyle) {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog(style, 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  return { s, conn, client: conn.client as Es6CatalogClient };
}

/** One plain `ping` (a callback-style method needs its callback). */
function pingOnce(style: ClientStyle, client: Es6CatalogClient): Promise<unknown> {
  if (style === 'es6') return client.ping();
  const ping = client.ping as unknown as (cb: (e: unknown) => void) => void;
  return new Promise((resolve, reject) => ping.call(client, (e) => (e ? reject(e) : resolve(e))));
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  for (const watched of [true, false]) {
    const how = watched ? 'a watched' : 'an unwatched';
    describe(`${how} ${style}-style connection closed by its user`, () => {
      it('ends a call whose retry was waiting when the connection closed', async () => {
        const { s, conn, client } = await connected(style);
        s.set({ kind: 'fail' });
        const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 10 } } });
        const rpc = wrapThriftClient(client, {
          target: false, // circuits named <service>/<method>
          connection: watched ? conn.connection : null,
          registry,
          defaults: {
            timeoutMs: 400,
            retry: { maxAttempts: 3, initialDelayMs: 30, maxDelayMs: 30 },
            // Judging the first failure is the moment the retry starts to wait: close then.
            classify: () => {
              conn.close();
              return undefined;
            },
          },
        }) as unknown as AnyRpc;
        const r = await settle(rpc.getItem!('a'), BOUND_MS);
        const e = errorOf(r);
        // Refused at once as `down` when watched; otherwise npm thrift queues the request and
        // the deadline ends the call.
        if (watched) expect(isThriftTransportError(e)).toBe(true);
        else expect(isThriftTimeoutError(e)).toBe(true);
        expect(s.count('getItem')).toBe(1);
        expect(registry.find('Catalog/getItem')?.inFlight).toBe(0);
      });

      it('answers with an async fallback that settles after the connection closed', async () => {
        const { conn, client } = await connected(style);
        const registry = new CircuitRegistry();
        registry.get('Catalog/getItem').forceOpen();
        const rpc = wrapThriftClient(client, {
          target: false, // circuits named <service>/<method>
          connection: watched ? conn.connection : null,
          registry,
          defaults: {
            fallback: {
              value: () => new Promise((resolve) => setTimeout(() => resolve({ id: 'x' }), 30)),
            },
          },
        }) as unknown as AnyRpc;
        const pending = settle(rpc.getItem!('a'), BOUND_MS);
        conn.close();
        expect(await pending).toMatchObject({ ok: true, value: { id: 'x' } });
      });

      it('fails a probe made after the connection closed', async () => {
        const { s, conn, client } = await connected(style);
        await pingOnce(style, client);
        conn.close();
        await new Promise((r) => setTimeout(r, 20));
        const probe = createThriftProbe(client, 'ping', {
          timeoutMs: 200,
          ...(watched ? { connection: conn.connection } : {}),
        });
        const e = errorOf(await settle(probe(), BOUND_MS));
        if (watched) expect(isThriftTransportError(e)).toBe(true);
        else expect(isThriftTimeoutError(e)).toBe(true);
        expect(s.count('ping')).toBe(1);
      });
    });
  }
}
