/**
 * `sharing: { quorum }` under an ACL user limited to the store's prefix and the commands the
 * README lists for it: votes, announcements and the fleet opening all run, and Redis refuses
 * nothing.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';
import { eventually } from './state-store.contract.js';

const skip = skipRedis();
let server: RedisServer;

describe.skipIf(skip)('RedisStateStore with a quorum under an ACL user', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('needs only the commands the README lists', async () => {
    const admin = server.client();
    const base = ['+eval', '+hmget', '+hset', '+set', '+publish', '+subscribe', '+ping'];
    const quorum = ['+zadd', '+zremrangebyscore', '+zcard', '+zrem', '+pexpire', '+del'];
    const user = ['reset', 'on', '>secret', '~aclq:*', '&aclq:*', ...base, ...quorum];
    await admin.call('ACL', 'SETUSER', 'voter', ...user, '+hello', '+info');
    await admin.call('ACL', 'LOG', 'RESET');
    const clock = new ManualClock(0);
    const clients = [0, 1].map(() => {
      const c = new Redis(server.port, '127.0.0.1', {
        username: 'voter',
        password: 'secret',
        retryStrategy: () => 50,
      });
      c.on('error', () => {});
      return c;
    });
    const registries = clients.map(
      (client) =>
        new CircuitRegistry({
          store: new RedisStateStore({
            client,
            prefix: 'aclq:',
            sharing: { quorum: { minMembers: 2 } },
          }),
          clock,
          defaults: { trip: { consecutiveFailures: 1 }, openMs: 1_000 },
        }),
    );
    try {
      const [a, b] = registries.map((r) => r.get('svc'));
      await eventually(() => clients.forEach((c) => expect(c.status).toBe('ready')));
      await new Promise((r) => setTimeout(r, 100));
      a!.tryAcquire()!.record('failure');
      await new Promise((r) => setTimeout(r, 100));
      expect(b!.state).toBe('closed');
      b!.tryAcquire()!.record('failure');
      await eventually(() => expect(a!.generation).toBeGreaterThan(1));
      expect([a!.state, b!.state]).toEqual(['open', 'open']);
      expect(await admin.zcard('aclq:members')).toBe(2);
      await registries[0]!.close(); // leaves the member set at once
      for (let i = 0; i < 100 && (await admin.zcard('aclq:members')) !== 1; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await admin.zcard('aclq:members')).toBe(1);
      const log = (await admin.call('ACL', 'LOG')) as unknown[][];
      expect(log.map((e) => String(e[e.indexOf('object') + 1]))).toEqual(
        log.map(() => 'client|setinfo'),
      );
    } finally {
      await Promise.all(registries.map((r) => r.close()));
      clients.forEach((c) => c.disconnect());
      admin.disconnect();
    }
  });
});
