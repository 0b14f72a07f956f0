/**
 * `RedisStateStore` when Redis goes away: killed, paused (SIGSTOP: the socket stays open and
 * nothing answers), or dropping the store's subscription. Two stores in this process, each with
 * its own client, stand for two processes; the status events, local running and re-sync are
 * checked against a real redis-server that the tests kill, pause and restart.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore, type RedisStoreStatus } from '../../src/storage/redis/index.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';
import { eventually } from './state-store.contract.js';

const skip = skipRedis();
const TRIP = { trip: { consecutiveFailures: 1 }, openMs: 60_000 };
let server: RedisServer;
let prefixN = 0;
const cleanups: Array<() => Promise<void>> = [];

interface Member {
  registry: CircuitRegistry;
  store: RedisStateStore;
  client: Redis;
  statuses: RedisStoreStatus[];
}

/** Stores on their own clients, sharing one prefix; `options` are the clients' ioredis options. */
async function members(
  n: number,
  opts: {
    client?: RedisOptions;
    clock?: ManualClock;
    leaseTimeoutMs?: number;
    policy?: object;
  } = {},
): Promise<Member[]> {
  const prefix = `outage${prefixN++}:`;
  const list = Array.from({ length: n }, () => {
    const client = new Redis(server.port, '127.0.0.1', { retryStrategy: () => 50, ...opts.client });
    client.on('error', () => {});
    const store = new RedisStateStore({ client, prefix, leaseTimeoutMs: opts.leaseTimeoutMs });
    const statuses: RedisStoreStatus[] = [];
    store.onStatus((s) => statuses.push(s));
    const registry = new CircuitRegistry({
      store,
      defaults: opts.policy ?? TRIP,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    return { registry, store, client, statuses };
  });
  cleanups.push(async () => {
    for (const m of list) {
      await m.registry.close();
      m.client.disconnect();
    }
  });
  await eventually(() => list.forEach((m) => expect(m.store.connected).toBe(true)));
  await new Promise((r) => setTimeout(r, 50)); // subscriptions in place
  list.forEach((m) => m.statuses.splice(0)); // the first 'connected'
  return list;
}

function trip(m: Member, name = 'svc'): void {
  m.registry.get(name).tryAcquire()!.record('failure');
}

describe.skipIf(skip)('RedisStateStore when Redis goes away', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    server.resume();
    if (!server.running) await server.launch();
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reports degraded when Redis is killed, connected when it is back, and re-syncs within 1 s', async () => {
    const [a, b] = await members(2);
    a!.registry.get('svc');
    b!.registry.get('svc');
    await server.kill();
    await eventually(() => expect(a!.statuses.map((s) => s.status)).toEqual(['degraded']));
    expect(a!.store.connected).toBe(false);
    trip(a!); // runs locally
    expect(a!.registry.get('svc').state).toBe('open');
    expect(b!.registry.get('svc').state).toBe('closed');
    await server.launch();
    const back = Date.now();
    await eventually(() => expect(b!.registry.get('svc').state).toBe('open'));
    expect(Date.now() - back).toBeLessThan(1_000);
    expect(a!.statuses.map((s) => s.status)).toEqual(['degraded', 'connected']);
    expect(b!.registry.get('svc').generation).toBe(a!.registry.get('svc').generation);
  });

  it('reports degraded when Redis is unreachable from the start, connected once it comes up', async () => {
    const down = await RedisServer.start();
    await down.kill(); // a port where nothing listens
    const client = new Redis(down.port, '127.0.0.1', { retryStrategy: () => 50 });
    client.on('error', () => {});
    const store = new RedisStateStore({ client, prefix: `outage${prefixN++}:` });
    const registry = new CircuitRegistry({ store, defaults: TRIP });
    cleanups.push(async () => {
      await registry.close();
      client.disconnect();
      await down.stop();
    });
    const statuses: RedisStoreStatus[] = [];
    store.onStatus((s) => statuses.push(s));
    await eventually(() => expect(statuses.map((s) => s.status)).toEqual(['degraded']));
    trip({ registry, store, client, statuses }); // runs locally
    expect(registry.get('svc').state).toBe('open');
    await new Promise((r) => setTimeout(r, 200)); // more failed attempts: still told once
    expect(statuses).toHaveLength(1);
    await down.launch();
    await eventually(() =>
      expect(statuses.map((s) => s.status)).toEqual(['degraded', 'connected']),
    );
    // The trip made while unreachable was published once Redis came up.
    const reader = down.client();
    try {
      let stored: Array<string | null> = [];
      for (let i = 0; i < 50 && stored[0] !== 'open'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const keys = await reader.keys('outage*');
        stored = keys[0] ? await reader.hmget(keys[0], 's', 'g') : [];
      }
      expect(stored).toEqual(['open', String(registry.get('svc').generation)]);
    } finally {
      reader.disconnect();
    }
  });

  it('notices a paused Redis without traffic, and re-syncs as soon as it resumes', async () => {
    const [a, b] = await members(2);
    a!.registry.get('svc');
    b!.registry.get('svc');
    await new Promise((r) => setTimeout(r, 100)); // their first reads answered: nothing in flight
    server.pause();
    const paused = Date.now();
    // Only the heartbeat PING (after 1 s without an answer) can tell.
    await eventually(() => expect(a!.statuses.map((s) => s.status)).toEqual(['degraded']), 3_000);
    expect(Date.now() - paused).toBeGreaterThanOrEqual(200);
    expect(Date.now() - paused).toBeLessThan(1_000 + 200 + 300); // heartbeat + timeout + tick
    expect((a!.statuses[0]!.error as { code?: string }).code).toBe('REDIS_TIMEOUT');
    trip(a!);
    expect(a!.registry.get('svc').state).toBe('open');
    await new Promise((r) => setTimeout(r, 300));
    server.resume();
    const resumed = Date.now();
    await eventually(() => expect(b!.registry.get('svc').state).toBe('open'));
    expect(Date.now() - resumed).toBeLessThan(1_000);
    await eventually(() =>
      expect(a!.statuses.map((s) => s.status)).toEqual(['degraded', 'connected']),
    );
  });

  it('grants half-open probes locally after leaseTimeoutMs when Redis hangs', async () => {
    const clock = new ManualClock(1_000_000);
    const [a] = await members(1, {
      clock,
      leaseTimeoutMs: 100,
      policy: { trip: { consecutiveFailures: 1 }, openMs: 1_000, halfOpenProbes: 1 },
    });
    trip(a!);
    await new Promise((r) => setTimeout(r, 50)); // the trip is stored
    server.pause();
    clock.advance(1_000);
    const circuit = a!.registry.get('svc');
    expect(circuit.state).toBe('half-open');
    const asked = Date.now();
    expect(circuit.tryAcquire()).toBeUndefined(); // the lease is pending: rejected, not waiting
    let granted = false;
    await eventually(() => {
      granted ||= circuit.tryAcquire() !== undefined;
      expect(granted).toBe(true);
    });
    const waited = Date.now() - asked;
    expect(waited).toBeGreaterThanOrEqual(90);
    expect(waited).toBeLessThan(400);
  });

  it('recovers on a client with commandTimeout, no offline queue and no per-request retries', async () => {
    const [a, b] = await members(2, {
      client: { commandTimeout: 100, enableOfflineQueue: false, maxRetriesPerRequest: 0 },
    });
    a!.registry.get('svc');
    b!.registry.get('svc');
    server.pause();
    trip(a!); // its CAS times out in the client: degraded
    await eventually(() => expect(a!.statuses.map((s) => s.status)).toEqual(['degraded']));
    await new Promise((r) => setTimeout(r, 300));
    server.resume();
    const resumed = Date.now();
    await eventually(() =>
      expect(a!.statuses.map((s) => s.status)).toEqual(['degraded', 'connected']),
    );
    await eventually(() => expect(b!.registry.get('svc').state).toBe('open'));
    expect(Date.now() - resumed).toBeLessThan(1_000);
  });

  it('does not mistake a reply that arrived while its own event loop was blocked for a timeout', async () => {
    const [a, b] = await members(2);
    b!.registry.get('svc');
    trip(a!); // its CAS is answered during the busy loop below, longer than leaseTimeoutMs
    const end = Date.now() + 400;
    while (Date.now() < end); // a blocked event loop: the timeout timer is due before the reply is read
    await eventually(() => expect(b!.registry.get('svc').state).toBe('open'));
    await new Promise((r) => setTimeout(r, 100));
    expect(a!.statuses).toEqual([]);
    expect(a!.store.connected).toBe(true);
  });

  it('adopts a transition published while its subscription was cut', async () => {
    const [a, b] = await members(2);
    a!.registry.get('svc');
    b!.registry.get('svc');
    const admin = server.client();
    try {
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'); // every subscriber: 50 ms to reconnect
      trip(a!); // published while nobody listens
      await eventually(() => expect(b!.registry.get('svc').state).toBe('open'));
    } finally {
      admin.disconnect();
    }
  });

  it('counts no transition when it reads its own open state back after a reconnect', async () => {
    const [a, b] = await members(2);
    b!.registry.get('svc');
    trip(a!);
    await eventually(() => expect(b!.registry.get('svc').state).toBe('open'));
    await new Promise((r) => setTimeout(r, 50));
    const before = [a!, b!].map((m) => m.registry.get('svc').snapshot().counts.transitions);
    expect(before).toEqual([1, 1]); // the trip, and its adoption
    const admin = server.client();
    try {
      // Both connections of both stores reconnect; each re-reads the (unchanged) stored state.
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
      await eventually(() => expect(a!.statuses.map((s) => s.status)).toContain('connected'));
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      admin.disconnect();
    }
    const after = [a!, b!].map((m) => m.registry.get('svc').snapshot().counts.transitions);
    expect(after).toEqual(before);
    expect([a!, b!].map((m) => m.registry.get('svc').state)).toEqual(['open', 'open']);
  });
});
