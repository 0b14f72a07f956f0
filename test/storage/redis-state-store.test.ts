import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';
import { eventually, runStateStoreContract } from './state-store.contract.js';

/** Two registries on stores with their own clients (`options` added to each client's). */
async function twoMembers(prefix: string, options: RedisOptions, clock = new ManualClock(0)) {
  const clients = [0, 1].map(() => {
    const c = new Redis(server.port, '127.0.0.1', { retryStrategy: () => 50, ...options });
    c.on('error', () => {});
    return c;
  });
  const registries = clients.map(
    (client) =>
      new CircuitRegistry({
        store: new RedisStateStore({ client, prefix }),
        clock,
        defaults: { trip: { consecutiveFailures: 1 }, openMs: 1_000, halfOpenProbes: 1 },
      }),
  );
  return {
    registries,
    clients,
    close: async () => {
      await Promise.all(registries.map((r) => r.close()));
      clients.forEach((c) => c.disconnect());
    },
  };
}

const skip = skipRedis();
let server: RedisServer;

describe.skipIf(skip)('RedisStateStore', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  let n = 0;
  runStateStoreContract('RedisStateStore', async (members) => {
    const prefix = `contract${n++}:`;
    const clients = Array.from({ length: members }, () => server.client());
    await Promise.all(
      clients.map((c) =>
        c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)),
      ),
    );
    const stores = clients.map((client) => new RedisStateStore({ client, prefix }));
    await new Promise((r) => setTimeout(r, 50)); // subscriptions in place
    return {
      stores,
      cleanup: async () => {
        await Promise.all(stores.map((s) => s.close()));
        clients.forEach((c) => c.disconnect());
      },
    };
  });

  it('throws ConfigError for a missing client or a bad option', () => {
    expect(() => new RedisStateStore({ client: {} as never })).toThrow(ConfigError);
    expect(() => new RedisStateStore({ client: {} as never })).toThrow(
      'client must be an ioredis client',
    );
    const client = server.client();
    try {
      expect(() => new RedisStateStore({ client, leaseTimeoutMs: -1 })).toThrow(
        'leaseTimeoutMs must be a finite number > 0; got -1',
      );
    } finally {
      client.disconnect();
    }
  });

  it('keeps every key under its prefix, with circuit names encoded', async () => {
    const client = server.client();
    const store = new RedisStateStore({ client, prefix: 'iso:' });
    const { CircuitRegistry } = await import('../../src/registry/circuit-registry.js');
    const registry = new CircuitRegistry({ store, defaults: { trip: { consecutiveFailures: 1 } } });
    registry.get('a:b}{*').tryAcquire()!.record('failure');
    await new Promise((r) => setTimeout(r, 50));
    const keys = await client.keys('*');
    const ours = keys.filter((k) => k.startsWith('iso:'));
    expect(ours).toEqual([`iso:c:{${Buffer.from('a:b}{*').toString('base64url')}}`]);
    await registry.close();
    client.disconnect();
  });

  it('shares state and probe leases over RESP2 clients (protocol: 2) as over RESP3', async () => {
    const clock = new ManualClock(0);
    const m = await twoMembers('resp2:', { protocol: 2 }, clock);
    try {
      m.registries.forEach((r) => r.get('svc'));
      await eventually(() => m.clients.forEach((c) => expect(c.status).toBe('ready')));
      await new Promise((r) => setTimeout(r, 50));
      m.registries[0]!.get('svc').tryAcquire()!.record('failure');
      await eventually(() => expect(m.registries[1]!.get('svc').state).toBe('open'));
      clock.advance(1_000);
      let probes = 0;
      await eventually(() => {
        for (const r of m.registries) if (r.get('svc').tryAcquire()) probes++;
        expect(probes).toBe(1);
      });
      await new Promise((r) => setTimeout(r, 100));
      for (const r of m.registries) expect(r.get('svc').tryAcquire()).toBeUndefined();
    } finally {
      await m.close();
    }
  });

  it('starts a lazyConnect client itself and shares through it', async () => {
    const m = await twoMembers('lazy:', { lazyConnect: true });
    try {
      m.registries.forEach((r) => r.get('svc'));
      await eventually(() => m.clients.forEach((c) => expect(c.status).toBe('ready')));
      await new Promise((r) => setTimeout(r, 50));
      m.registries[0]!.get('svc').tryAcquire()!.record('failure');
      await eventually(() => expect(m.registries[1]!.get('svc').state).toBe('open'));
    } finally {
      await m.close();
    }
  });

  it('keeps stores apart whose clients have different keyPrefix, on the same store prefix', async () => {
    const x = await twoMembers('same:', { keyPrefix: 'app-x:' });
    const y = await twoMembers('same:', { keyPrefix: 'app-y:' });
    try {
      [...x.registries, ...y.registries].forEach((r) => r.get('svc'));
      await new Promise((r) => setTimeout(r, 100));
      x.registries[0]!.get('svc').tryAcquire()!.record('failure');
      await eventually(() => expect(x.registries[1]!.get('svc').state).toBe('open'));
      await new Promise((r) => setTimeout(r, 100));
      expect(y.registries.map((r) => r.get('svc').state)).toEqual(['closed', 'closed']);
      const keys = await y.clients[0]!.call('KEYS', 'app-*');
      expect(keys).toEqual([`app-x:same:c:{${Buffer.from('svc').toString('base64url')}}`]);
    } finally {
      await x.close();
      await y.close();
    }
  });

  it('works under an ACL user limited to its prefix and the commands documented', async () => {
    const admin = server.client();
    const clock = new ManualClock(0);
    await admin.call(
      'ACL',
      'SETUSER',
      'breaker',
      'reset',
      'on',
      '>secret',
      '~acl:*',
      '&acl:*',
      '+eval',
      '+hmget',
      '+hset',
      '+set',
      '+publish',
      '+subscribe',
      '+ping',
      '+hello',
      '+info',
    );
    await admin.call('ACL', 'LOG', 'RESET');
    const m = await twoMembers('acl:', { username: 'breaker', password: 'secret' }, clock);
    try {
      m.registries.forEach((r) => r.get('svc'));
      await eventually(() => m.clients.forEach((c) => expect(c.status).toBe('ready')));
      await new Promise((r) => setTimeout(r, 50));
      m.registries[0]!.get('svc').tryAcquire()!.record('failure');
      await eventually(() => expect(m.registries[1]!.get('svc').state).toBe('open'));
      clock.advance(1_000);
      let probes = 0;
      await eventually(() => {
        for (const r of m.registries) if (r.get('svc').tryAcquire()) probes++;
        expect(probes).toBe(1);
      });
      await new Promise((r) => setTimeout(r, 100));
      for (const r of m.registries) expect(r.get('svc').tryAcquire()).toBeUndefined();
      // Nothing was refused but ioredis's optional CLIENT SETINFO (Redis >= 7.2).
      const log = (await admin.call('ACL', 'LOG')) as unknown[][];
      expect(log.map((e) => String(e[e.indexOf('object') + 1]))).toEqual(
        log.map(() => 'client|setinfo'),
      );
    } finally {
      await m.close();
      admin.disconnect();
    }
  });
});
