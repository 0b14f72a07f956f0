/**
 * `RedisStateStore` over TLS: the store only uses the client it is given (and a duplicate of
 * it), so a TLS client is all it takes. A real redis-server with a TLS port and a self-signed
 * certificate for 127.0.0.1 (test/storage/redis/tls).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';
import { eventually } from './state-store.contract.js';

const skip = skipRedis();
let tls: Awaited<ReturnType<typeof RedisServer.startTls>>;

describe.skipIf(skip)('RedisStateStore over TLS', () => {
  beforeAll(async () => {
    tls = await RedisServer.startTls();
  });
  afterAll(async () => {
    await tls?.server.stop();
  });

  it('shares state and probe leases through TLS clients, subscription included', async () => {
    const clock = new ManualClock(0);
    const clients = [0, 1].map(() => {
      const c = new Redis(tls.tlsPort, '127.0.0.1', {
        tls: { ca: tls.ca },
        retryStrategy: () => 50,
      });
      c.on('error', () => {});
      return c;
    });
    const stores = clients.map((client) => new RedisStateStore({ client, prefix: 'tls:' }));
    const registries = stores.map(
      (store) =>
        new CircuitRegistry({
          store,
          clock,
          defaults: { trip: { consecutiveFailures: 1 }, openMs: 1_000, halfOpenProbes: 1 },
        }),
    );
    try {
      await eventually(() => stores.forEach((s) => expect(s.connected).toBe(true)));
      registries.forEach((r) => r.get('svc'));
      await new Promise((r) => setTimeout(r, 50));
      registries[0]!.get('svc').tryAcquire()!.record('failure');
      await eventually(() => expect(registries[1]!.get('svc').state).toBe('open'));
      clock.advance(1_000);
      let probes = 0;
      await eventually(() => {
        for (const r of registries) if (r.get('svc').tryAcquire()) probes++;
        expect(probes).toBe(1);
      });
      // Both stores' subscriptions are up, on the TLS port (duplicates of the TLS clients).
      const admin = new Redis(tls.tlsPort, '127.0.0.1', { tls: { ca: tls.ca } });
      const list = String(await admin.call('CLIENT', 'LIST'));
      admin.disconnect();
      expect(list.split('\n').filter((l) => / cmd=subscribe /.test(l))).toHaveLength(2);
    } finally {
      await Promise.all(registries.map((r) => r.close()));
      clients.forEach((c) => c.disconnect());
    }
  });
});
