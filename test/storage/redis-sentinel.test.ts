/**
 * `RedisStateStore` on a Sentinel-managed Redis (ioredis `{ sentinels, name }`): a real master,
 * replica and three sentinels on free 127.0.0.1 ports. The master is killed (SIGKILL), the
 * sentinels promote the replica: calls never wait or fail because of it, and the fleet re-syncs
 * with the new master — transitions made during the failover included — within seconds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skipRedis } from './redis/redis-server.js';
import { SentinelSet, sentinelAvailable } from './redis/redis-topology.js';
import {
  callLoop,
  startMembers,
  stopMembers,
  trip,
  type TopologyMember,
} from './redis/topology-members.js';
import { eventually } from './state-store.contract.js';

const skip = skipRedis();
if (!skip && !sentinelAvailable && process.env.CI)
  throw new Error(
    'redis-sentinel is not installed, and CI is set: Sentinel tests cannot be skipped',
  );
let set: SentinelSet;
const started: TopologyMember[][] = [];

describe.skipIf(skip || !sentinelAvailable)('RedisStateStore with Redis Sentinel', () => {
  beforeAll(async () => {
    set = await SentinelSet.start();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map(stopMembers));
  });
  afterAll(async () => {
    await set?.stop();
  });

  it('keeps calls running while the master is killed, and re-syncs on the promoted replica', async () => {
    const prefix = 'sentinel:';
    const list = await startMembers([set.client(), set.client()], prefix);
    started.push(list);
    const [a, b] = list as [TopologyMember, TopologyMember];
    trip(a, 'before');
    await eventually(() => expect(b.registry.get('before').state).toBe('open'));
    await new Promise((r) => setTimeout(r, 200)); // replicated to the replica

    const seen = list.map((m) => m.statuses.length);
    await set.master.kill();
    const killed = Date.now();
    const during = await callLoop(list, 'svc', () => Date.now() - killed > 1_500, 3_000);
    expect(during.calls).toBeGreaterThan(20);
    expect(during.refused).toBe(0);
    expect(during.maxGapMs).toBeLessThan(500);
    await eventually(() => list.forEach((m) => expect(m.store.connected).toBe(false)), 3_000);
    trip(a, 'svc'); // runs locally while there is no master
    expect(a.registry.get('svc').state).toBe('open');
    expect(b.registry.get('svc').state).toBe('closed');

    await eventually(() => expect(b.registry.get('svc').state).toBe('open'), 15_000);
    const resynced = Date.now() - killed;
    expect(b.registry.get('svc').generation).toBe(a.registry.get('svc').generation);
    await eventually(() => list.forEach((m) => expect(m.store.connected).toBe(true)), 5_000);
    list.forEach((m, i) =>
      expect(m.statuses.slice(seen[i]).map((s) => s.status)).toEqual(['degraded', 'connected']),
    );
    // The replica is the master now, with the state stored before the failure.
    const admin = set.replica.admin();
    const role = String(await admin.info('replication'));
    admin.disconnect();
    expect(role).toContain('role:master');
    trip(b, 'after');
    await eventually(() => expect(a.registry.get('after').state).toBe('open'), 3_000);
    const [late] = await startMembers([set.client()], prefix);
    started.push([late!]);
    await eventually(() => {
      expect(late!.registry.get('before').state).toBe('open');
      expect(late!.registry.get('svc').state).toBe('open');
    }, 5_000);
    expect(resynced).toBeLessThan(15_000);
    console.info(`sentinel failover: re-synced ${resynced} ms after the master was killed`);
  }, 45_000);
});
