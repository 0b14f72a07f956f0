/**
 * Issue #12, `new RedisStateStore(options)` over fuzzed options, with real ioredis clients: one
 * (lazyConnect) to a real redis-server, one to a port nothing listens on that never connects.
 * Each construction is accepted (the store is then closed) or rejected with a ConfigError naming
 * the option.
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { fcRuns } from '../fc-runs.js';
import { RedisServer, skipRedis } from '../storage/redis/redis-server.js';
import { acceptedOrConfigError, expectBothOutcomes, firstCallSettles } from './config-property.js';
import { goodCount, hostileValue, optionsOf, pick } from './hostile-options.js';

const skip = skipRedis();
let server: RedisServer | undefined;
const clients: Redis[] = [];

function lazyClient(port: number): Redis {
  const c = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  c.on('error', () => {});
  clients.push(c);
  return c;
}

beforeAll(async () => {
  if (skip) return;
  server = await RedisServer.start();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

function storeOptions(client: Redis) {
  return optionsOf({
    client: pick([client], [{ duplicate: () => client }, {}]),
    prefix: pick(['fuzz:', ''], [5]),
    leaseTimeoutMs: pick([1, 200, 10_000], [2 ** 31]),
    shareCounts: pick([false, true], ['yes']),
    flushMs: pick([10, 1_000], [2 ** 31]),
    sharing: fc.oneof(
      pick(['any'], ['all']),
      optionsOf({
        quorum: optionsOf({
          minMembers: goodCount,
          share: pick([0, 0.5, 1], [1.5]),
          windowMs: pick([1_000, 10_000], [86_400_001]),
          activeMs: pick([100, 3_000], [99]),
        }),
      }),
    ),
  });
}

describe.skipIf(skip)('fuzzed RedisStateStore options', () => {
  it('new RedisStateStore(options): accepted (a first call completes) or a ConfigError', async () => {
    const live = lazyClient(server!.port);
    const dead = lazyClient(1); // nothing listens on port 1: never connects
    for (const client of [live, dead]) {
      await fc.assert(
        fc.asyncProperty(storeOptions(client), async (options) => {
          const made = acceptedOrConfigError(() => new RedisStateStore(options as never));
          if (!made) return;
          // Calls never wait on Redis, reachable or not: a first call completes at once.
          const registry = new CircuitRegistry({ store: made.value });
          await firstCallSettles(() => registry.get('svc').execute(() => Promise.resolve(1)));
          await registry.close();
        }),
        { numRuns: fcRuns(300) },
      );
      expectBothOutcomes();
    }
  });

  it('new RedisStateStore(options) with no ioredis client is a ConfigError', () => {
    fc.assert(
      fc.property(hostileValue, (options) => {
        expect(acceptedOrConfigError(() => new RedisStateStore(options as never))).toBe(undefined);
      }),
      { numRuns: fcRuns(200) },
    );
  });
});
