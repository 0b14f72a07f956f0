/**
 * `RedisStateStore` on a real Redis Cluster (3 masters, 1 replica each, Debian's redis-server on
 * free 127.0.0.1 ports): members whose clients start from different nodes share circuits whose
 * keys live on every master, `shareCounts` works across the cluster, and a circuit's slot
 * migrating to another master (CLUSTER SETSLOT IMPORTING/MIGRATING + MIGRATE) loses nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/storage/redis/keys.js';
import { skipRedis } from './redis/redis-server.js';
import { RedisClusterSet, type Node } from './redis/redis-topology.js';
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
let prefixN = 0;
const started: TopologyMember[][] = [];

async function members(n: number, opts?: Parameters<typeof startMembers>[2]) {
  const prefix = `cl${prefixN++}:`;
  const list = await startMembers(
    Array.from({ length: n }, (_, i) => cluster.client(i * 2)),
    prefix,
    opts,
  );
  started.push(list);
  return { list, prefix };
}

async function slotOf(key: string): Promise<number> {
  const admin = cluster.nodes[0]!.admin();
  try {
    return Number(await admin.cluster('KEYSLOT', key));
  } finally {
    admin.disconnect();
  }
}

/** Circuit names whose state keys are served by three different masters. */
async function namesOnEveryMaster(prefix: string): Promise<string[]> {
  const keys = new RedisKeys(prefix);
  const byMaster = new Map<number, string>();
  for (let i = 0; i < 200 && byMaster.size < 3; i++) {
    const name = `svc-${i}`;
    const master = await cluster.masterOf(await slotOf(keys.state(name)));
    if (!byMaster.has(master.port)) byMaster.set(master.port, name);
  }
  return [...byMaster.values()];
}

describe.skipIf(skip)('RedisStateStore on Redis Cluster', () => {
  beforeAll(async () => {
    cluster = await RedisClusterSet.start();
  }, 30_000);
  afterEach(async () => {
    await Promise.all(started.splice(0).map(stopMembers));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('shares circuits whose keys live on each of the three masters, between clients started on different nodes', async () => {
    const { list, prefix } = await members(2);
    const [a, b] = list as [TopologyMember, TopologyMember];
    const names = await namesOnEveryMaster(prefix);
    expect(names).toHaveLength(3);
    for (const name of names) b.registry.get(name);
    for (const name of names) trip(a, name);
    await eventually(() => {
      for (const name of names) expect(b.registry.get(name).state).toBe('open');
    });
    for (const name of names)
      expect(b.registry.get(name).generation).toBe(a.registry.get(name).generation);
    // A member joining later reads the stored states from the cluster.
    const joined = await startMembers([cluster.client(3)], prefix);
    started.push(joined);
    await eventually(() => {
      for (const name of names) expect(joined[0]!.registry.get(name).state).toBe('open');
    });
  });

  it('judges shareCounts windows on the fleet calls across the cluster, for circuits on every master', async () => {
    const policy = {
      trip: { failureRate: 0.5, minimumCalls: 10, windowMs: 5_000 },
      openMs: 60_000,
    };
    const { list, prefix } = await members(2, { policy, shareCounts: true });
    const names = await namesOnEveryMaster(prefix);
    for (const name of names) {
      for (const m of list) for (let i = 0; i < 5; i++) trip(m, name);
    }
    expect(list.map((m) => m.registry.get(names[0]!).state)).toEqual(['closed', 'closed']);
    await eventually(() => {
      for (const name of names)
        expect(list.map((m) => m.registry.get(name).state)).toEqual(['open', 'open']);
    }, 5_000);
    expect(list.every((m) => m.store.connected)).toBe(true);
  });

  it('loses no call and no transition while a circuit slot migrates to another master', async () => {
    const { list, prefix } = await members(2);
    const [a, b] = list as [TopologyMember, TopologyMember];
    const name = 'migrating';
    const key = new RedisKeys(prefix).state(name);
    const slot = await slotOf(key);
    trip(a, name); // stored on the source master before the move
    await eventually(() => expect(b.registry.get(name).state).toBe('open'));
    const source = await cluster.masterOf(slot);
    const target = (await cluster.masters()).find((m) => m.port !== source.port)!;
    let moved = false;
    const loop = callLoop(list, 'other', () => moved, 10_000);
    await migrateSlot(slot, source, target);
    moved = true;
    const result = await loop;
    expect(result.refused).toBe(0);
    expect(result.maxGapMs).toBeLessThan(500);
    expect((await cluster.masterOf(slot)).port).toBe(target.port);
    // The stored state moved with the slot; a new member reads it, transitions still propagate.
    const [late] = await startMembers([cluster.client(4)], prefix);
    started.push([late!]);
    await eventually(() => expect(late!.registry.get(name).state).toBe('open'), 5_000);
    trip(b, 'after-move');
    await eventually(() => expect(a.registry.get('after-move').state).toBe('open'), 5_000);
    expect(list.every((m) => m.store.connected)).toBe(true);
  });
});

/** Moves `slot` from `source` to `target` the way redis-cli --cluster reshard does. */
async function migrateSlot(slot: number, source: Node, target: Node): Promise<void> {
  const src = source.admin();
  const dst = target.admin();
  try {
    const srcId = String(await src.cluster('MYID'));
    const dstId = String(await dst.cluster('MYID'));
    await dst.cluster('SETSLOT', slot, 'IMPORTING', srcId);
    await src.cluster('SETSLOT', slot, 'MIGRATING', dstId);
    for (;;) {
      const keys = (await src.cluster('GETKEYSINSLOT', slot, 100)) as string[];
      if (keys.length === 0) break;
      await src.migrate('127.0.0.1', target.port, '', 0, 5_000, 'REPLACE', 'KEYS', ...keys);
    }
    await dst.cluster('SETSLOT', slot, 'NODE', dstId);
    await src.cluster('SETSLOT', slot, 'NODE', dstId);
    for (const n of await cluster.masters()) {
      if (n === source || n === target) continue;
      const c = n.admin();
      await c.cluster('SETSLOT', slot, 'NODE', dstId).finally(() => c.disconnect());
    }
  } finally {
    src.disconnect();
    dst.disconnect();
  }
  await cluster.waitOk();
}
