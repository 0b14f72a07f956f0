import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';
import { runStateStoreContract } from './state-store.contract.js';

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
});
