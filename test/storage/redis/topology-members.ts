/**
 * Members (registry + `RedisStateStore`, each on its own client, as separate processes would
 * be) sharing one prefix over a Redis Cluster or a Sentinel set, for the topology tests.
 */
import type { Cluster, Redis } from 'ioredis';
import { expect } from 'vitest';
import type { CircuitPolicy } from '../../../src/core/policy.js';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import { RedisStateStore, type RedisStoreStatus } from '../../../src/storage/redis/index.js';
import { eventually } from '../state-store.contract.js';

/** One member of a fleet. */
export interface TopologyMember {
  registry: CircuitRegistry;
  store: RedisStateStore;
  client: Redis | Cluster;
  statuses: RedisStoreStatus[];
}

/** Opens on the first failure, stays open for a minute. */
export const TRIP: CircuitPolicy = { trip: { consecutiveFailures: 1 }, openMs: 60_000 };

/** Starts one member per client; resolves when all are connected and subscribed. */
export async function startMembers(
  clients: Array<Redis | Cluster>,
  prefix: string,
  opts: { policy?: CircuitPolicy; shareCounts?: boolean; leaseTimeoutMs?: number } = {},
): Promise<TopologyMember[]> {
  const list = clients.map((client) => {
    const store = new RedisStateStore({
      client,
      prefix,
      shareCounts: opts.shareCounts,
      flushMs: 100,
      leaseTimeoutMs: opts.leaseTimeoutMs,
    });
    const statuses: RedisStoreStatus[] = [];
    store.onStatus((s) => statuses.push(s));
    const registry = new CircuitRegistry({ store, defaults: opts.policy ?? TRIP });
    return { registry, store, client, statuses };
  });
  await eventually(() => list.forEach((m) => expect(m.store.connected).toBe(true)), 10_000);
  await new Promise((r) => setTimeout(r, 300)); // subscriptions in place
  return list;
}

/** Closes the members and their clients. */
export async function stopMembers(list: TopologyMember[]): Promise<void> {
  for (const m of list) {
    await m.registry.close();
    m.client.disconnect();
  }
}

/** One failure on circuit `name`: with TRIP, it opens. */
export function trip(m: TopologyMember, name: string): void {
  m.registry.get(name).tryAcquire()?.record('failure');
}

/**
 * Makes a call on circuit `name` of every member every `everyMs` until `until()` is true
 * (bounded by `maxMs`); returns how many calls were refused and the longest gap between two
 * rounds (a blocked loop would show there).
 */
export async function callLoop(
  list: TopologyMember[],
  name: string,
  until: () => boolean,
  maxMs: number,
  everyMs = 10,
): Promise<{ calls: number; refused: number; maxGapMs: number }> {
  const end = Date.now() + maxMs;
  let calls = 0;
  let refused = 0;
  let maxGapMs = 0;
  let last = Date.now();
  while (Date.now() < end && !until()) {
    for (const m of list) {
      const started = performance.now();
      const permit = m.registry.get(name).tryAcquire();
      calls++;
      if (!permit) refused++;
      else permit.record('success');
      maxGapMs = Math.max(maxGapMs, performance.now() - started);
    }
    await new Promise((r) => setTimeout(r, everyMs));
    const now = Date.now();
    maxGapMs = Math.max(maxGapMs, now - last - everyMs);
    last = now;
  }
  return { calls, refused, maxGapMs };
}
