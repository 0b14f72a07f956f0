/**
 * `RedisStateStore` on a real Redis Cluster whose master is killed (SIGKILL) and replaced by its
 * replica: calls go on without waiting or failing because of it, and the fleet re-syncs — the
 * transitions made during the failover included — within seconds of the promotion.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/storage/redis/keys.js';
import { skipRedis } from './redis/redis-server.js';
import { RedisClusterSet } from './redis/redis-topology.js';
import {
  callLoop,
  startMembers,
  stopMembers,
  trip,
  type TopologyMember,
} from './redis/topology-members.js';
import { eventually } from './state-store.contract.js';

const skip = skipRedis();
let cluster: RedisClusterSet;
const started: TopologyMember[][] = [];

describe.skipIf(skip)('RedisStateStore on Redis Cluster when a master fails', () => {
  beforeAll(async () => {
    cluster = await RedisClusterSet.start();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map(stopMembers));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps calls running while the master of a circuit is killed, and re-syncs after its replica takes over', async () => {
    const prefix = 'failover:';
    const list = await startMembers([cluster.client(0), cluster.client(3)], prefix, {
      leaseTimeoutMs: 200,
    });
    started.push(list);
    const [a, b] = list as [TopologyMember, TopologyMember];
    const name = 'svc';
    const key = new RedisKeys(prefix).state(name);
    const admin = cluster.nodes[0]!.admin();
    const slot = Number(await admin.cluster('KEYSLOT', key));
    admin.disconnect();
    trip(a, 'before'); // a circuit stored before the failure
    await eventually(() => expect(b.registry.get('before').state).toBe('open'));

    const master = await cluster.masterOf(slot);
    const seen = list.map((m) => m.statuses.length);
    await master.kill();
    const killed = Date.now();
    // Calls on a closed circuit whose slot has no master: every one admitted at once.
    const during = await callLoop(list, name, () => Date.now() - killed > 1_500, 3_000);
    expect(during.calls).toBeGreaterThan(20);
    expect(during.refused).toBe(0);
    expect(during.maxGapMs).toBeLessThan(500);
    // A trip while the slot has no master runs locally ...
    trip(a, name);
    expect(a.registry.get(name).state).toBe('open');
    // ... and reaches the other member once the replica is promoted and the store re-syncs.
    await eventually(() => expect(b.registry.get(name).state).toBe('open'), 10_000);
    const resynced = Date.now() - killed;
    expect(b.registry.get(name).generation).toBe(a.registry.get(name).generation);
    expect((await cluster.masterOf(slot)).port).not.toBe(master.port);
    await eventually(() => list.forEach((m) => expect(m.store.connected).toBe(true)), 5_000);
    // One outage each, told once: no flapping while the slot had no master.
    list.forEach((m, i) =>
      expect(m.statuses.slice(seen[i]).map((s) => s.status)).toEqual(['degraded', 'connected']),
    );
    // New transitions propagate again, and the state stored before the failure survived.
    trip(b, 'after');
    await eventually(() => expect(a.registry.get('after').state).toBe('open'), 3_000);
    const [late] = await startMembers([cluster.client(1)], prefix);
    started.push([late!]);
    await eventually(() => {
      expect(late!.registry.get(name).state).toBe('open');
      expect(late!.registry.get('before').state).toBe('open');
    }, 5_000);
    expect(resynced).toBeLessThan(10_000);
    console.info(`cluster failover: re-synced ${resynced} ms after the master was killed`);
  }, 40_000);
});
