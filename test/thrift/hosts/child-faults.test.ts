/**
 * One sick host among three, every way a Thrift host can be sick, and the ways it must not be
 * judged sick: its circuit opens (or it is skipped while disconnected), later calls never reach
 * it, and no later call fails. The killed server runs in its own process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { isThriftTransportError } from '../../../src/classify/thrift-call-errors.js';
import { closedPort } from '../helpers/clients.js';
import { hang, slow } from '../helpers/catalog-server.js';
import { gen } from '../helpers/generated.js';
import { ChildCatalog } from './child-catalog.js';
import {
  CatalogServer,
  CircuitRegistry,
  allConnected,
  connect,
  counts,
  delay,
  hostCircuit,
  hostsOf,
  sequential,
  startServers,
  waitFor,
  type CatalogHosts,
} from './fixture.js';

let servers: CatalogServer[] = [];
const clients: CatalogHosts[] = [];

beforeAll(async () => {
  servers = await startServers(2, 'framed-binary');
});
afterEach(async () => {
  for (const s of servers) s.set({ kind: 'ok' });
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A client over the two healthy servers and `sick`; a host opens after 3 failures in a row. */
async function cluster(sick: number, style: 'callback' | 'es6' = 'callback', timeoutMs = 300) {
  const registry = new CircuitRegistry();
  const client = connect(
    style,
    'framed-binary',
    [...hostsOf(servers), `127.0.0.1:${sick}`],
    registry,
    {
      defaults: { timeoutMs },
      endpoint: { circuit: { trip: { consecutiveFailures: 3 }, openMs: 60_000 } },
    },
  );
  clients.push(client);
  return { registry, client, sickCircuit: () => registry.find(hostCircuit(sick))?.state };
}

/** A TCP peer that accepts and never answers. */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('hosts client: fault matrix', () => {
  it('skips a refused host (it keeps reconnecting in the background); no call fails', async () => {
    const port = await closedPort();
    const { client } = await cluster(port);
    await waitFor(() => client.hosts()[0]!.connected && client.hosts()[1]!.connected);
    const before = counts(servers);
    const results = await sequential(client, 20);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(counts(servers).map((n, i) => n - before[i]!)).toEqual([10, 10]);
    expect(client.hosts()[2]).toMatchObject({ connected: false, state: 'closed' });
  });

  it.each(['callback', 'es6'] as const)(
    'fails calls on a host killed mid-call at once, then skips it (%s)',
    async (style) => {
      const child = await ChildCatalog.start('framed-binary');
      try {
        const { client } = await cluster(child.port, style, 5_000);
        await allConnected(client);
        await child.set(slow(2_000));
        const calls = [1, 2, 3].map(() =>
          client.getItem('a').then(
            () => 'ok',
            (e: unknown) => e,
          ),
        );
        await waitFor(() => client.hosts()[2]!.inFlight === 1, 2_000, 'a call on the child');
        const killedAt = performance.now();
        await child.kill();
        const ended = await Promise.all(calls);
        expect(performance.now() - killedAt).toBeLessThan(1_000); // not the 5 s deadline
        expect(ended.filter((e) => e === 'ok')).toHaveLength(2);
        expect(isThriftTransportError(ended.find((e) => e !== 'ok'))).toBe(true);
        await waitFor(() => !client.hosts()[2]!.connected);
        expect((await sequential(client, 10)).every((r) => r.ok)).toBe(true);
      } finally {
        await child.kill();
      }
    },
  );

  it('ejects a hung host while its calls are still in flight (slow-call rate)', async () => {
    const hungServer = await CatalogServer.start('framed-binary');
    try {
      hungServer.set(hang);
      const registry = new CircuitRegistry();
      const client = connect(
        'es6',
        'framed-binary',
        [...hostsOf(servers), `127.0.0.1:${hungServer.port}`],
        registry,
        {
          defaults: { timeoutMs: 2_000 },
          endpoint: {
            circuit: {
              trip: { failureRate: 0.5, windowCalls: 4, minimumCalls: 2 },
              slowCallMs: 100,
              slowCallRate: 0.5,
              openMs: 60_000,
            },
          },
        },
      );
      clients.push(client);
      await allConnected(client);
      const started = performance.now();
      const calls: Array<Promise<unknown>> = [];
      let openedAt = 0;
      registry.onStateChange((e) => {
        if (e.name === hostCircuit(hungServer.port) && e.to === 'open')
          openedAt = performance.now();
      });
      for (let i = 0; i < 40 && performance.now() - started < 1_500; i++) {
        calls.push(
          client.getItem('a').then(
            () => true,
            () => false,
          ),
        );
        await delay(10);
      }
      expect(openedAt).toBeGreaterThan(0);
      expect(openedAt - started).toBeLessThan(1_000); // before the first 2 s deadline
      const afterOpen = hungServer.count('getItem');
      for (let i = 0; i < 10; i++) await client.getItem('a');
      expect(hungServer.count('getItem')).toBe(afterOpen);
      await Promise.all(calls);
    } finally {
      await hungServer.close();
    }
  });

  it('ejects a black hole (accepts, never answers) after 3 timeouts; later calls all answer', async () => {
    const hole = await blackHole();
    try {
      const { client, sickCircuit } = await cluster(hole.port, 'es6', 200);
      await allConnected(client);
      const first = await sequential(client, 12);
      expect(first.filter((r) => !r.ok)).toHaveLength(3);
      expect(sickCircuit()).toBe('open');
      expect(client.hosts()[2]).toMatchObject({ ejected: true, connected: true });
      expect((await sequential(client, 20)).every((r) => r.ok)).toBe(true);
    } finally {
      await hole.close();
    }
  });

  it('ejects a host slower than the deadline, not one slow within it', async () => {
    const slowServer = await CatalogServer.start('framed-binary');
    try {
      slowServer.set(slow(60));
      const { client, sickCircuit } = await cluster(slowServer.port, 'callback', 300);
      await allConnected(client);
      expect((await sequential(client, 12)).every((r) => r.ok)).toBe(true);
      expect(sickCircuit()).toBe('closed');
      slowServer.set(slow(500));
      await sequential(client, 12);
      expect(sickCircuit()).toBe('open');
      expect((await sequential(client, 10)).every((r) => r.ok)).toBe(true);
    } finally {
      await slowServer.close();
    }
  });

  it('never ejects a host for NotFound or TApplicationException storms; the method circuit judges those', async () => {
    const third = await CatalogServer.start('framed-binary');
    try {
      const { client, registry } = await cluster(third.port);
      await allConnected(client);
      for (let i = 0; i < 30; i++) {
        const e = await client.getItem('missing').catch((x: unknown) => x);
        expect(e).toBeInstanceOf(gen.types.NotFound);
      }
      for (const s of [...servers, third]) s.set({ kind: 'fail' });
      for (let i = 0; i < 10; i++) await client.getItem('a').catch(() => undefined);
      const hostStates = client.hosts().map((h) => [h.state, h.ejected]);
      expect(hostStates).toEqual([
        ['closed', false],
        ['closed', false],
        ['closed', false],
      ]);
      expect(registry.find('Catalog/getItem')!.state).toBe('open'); // 5 application failures
    } finally {
      await third.close();
    }
  });
});
