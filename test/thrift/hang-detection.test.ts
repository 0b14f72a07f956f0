/**
 * Hang detection end to end through the Thrift wrapper: a server method that stops answering
 * opens its circuit through the slow-call rate while the first hung calls are still pending,
 * long before their deadline; those calls are left alone and end by their own deadline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { isThriftTimeoutError } from '../../src/classify/thrift-call-errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { CatalogServer, hang } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import { delay } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const DEADLINE_MS = 1_000;

interface LoadCall {
  startedAt: number;
  endedAt: number;
  error: unknown;
}

describe('hang detection through the Thrift wrapper', () => {
  it('opens within half the deadline of a hang under a call every 10 ms; pending calls time out at ~1 s', async () => {
    const s = await CatalogServer.start('framed-binary');
    cleanup.push(() => s.close());
    const conn = connectCatalog('es6', 'framed-binary', s.port);
    cleanup.push(() => conn.close());
    const registry = new CircuitRegistry();
    let openedAt: number | undefined;
    registry.onStateChange((e) => {
      if (e.to === 'open') openedAt ??= performance.now();
    });
    const rpc = wrapThriftClient(conn.client, {
      target: false, // circuits named <service>/<method>
      connection: conn.connection,
      registry,
      methods: {
        getItem: {
          timeoutMs: DEADLINE_MS,
          circuit: {
            trip: { failureRate: 0.5, windowCalls: 10 },
            slowCallMs: 100,
            slowCallRate: 0.5,
            openMs: 10_000,
          },
        },
      },
    });

    const pending: Array<Promise<LoadCall>> = [];
    const begin = performance.now();
    let hangAt = Infinity;
    let afterOpen = 0;
    for (let i = 0; i < 200; i++) {
      const now = performance.now();
      if (hangAt === Infinity && now - begin >= 200) {
        s.setMethod('getItem', hang);
        hangAt = performance.now();
      }
      // Go on until a few calls started after the opening, however a busy machine stretches sleeps.
      if (
        (openedAt !== undefined && now - openedAt >= 100 && afterOpen >= 5) ||
        now - begin > 3_000
      )
        break;
      const startedAt = performance.now();
      if (openedAt !== undefined) afterOpen++;
      pending.push(
        rpc.getItem('a').then(
          () => ({ startedAt, endedAt: performance.now(), error: undefined }),
          (error: unknown) => ({ startedAt, endedAt: performance.now(), error }),
        ),
      );
      await delay(10);
    }
    const calls = await Promise.all(pending);

    expect(openedAt).toBeDefined();
    expect(registry.get('Catalog/getItem').snapshot().lastTripReason).toBe('slow-call-rate');
    expect(openedAt! - hangAt).toBeGreaterThanOrEqual(100);
    // slowCallMs plus a few call intervals; the margin is for a machine with every core busy.
    expect(openedAt! - hangAt).toBeLessThan(DEADLINE_MS / 2);
    const hung = calls.filter((c) => c.startedAt >= hangAt && !isCircuitOpenError(c.error));
    expect(hung.length).toBeGreaterThanOrEqual(10);
    for (const c of hung) {
      expect(isThriftTimeoutError(c.error)).toBe(true);
      expect(c.endedAt - c.startedAt).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
      expect(c.endedAt - c.startedAt).toBeLessThan(DEADLINE_MS + 400);
    }
    const rejected = calls.filter((c) => isCircuitOpenError(c.error));
    expect(rejected.length).toBeGreaterThan(0);
    for (const c of rejected) expect(c.endedAt - c.startedAt).toBeLessThan(DEADLINE_MS / 4);
    expect(calls.filter((c) => c.endedAt < hangAt).every((c) => c.error === undefined)).toBe(true);
  });
});
