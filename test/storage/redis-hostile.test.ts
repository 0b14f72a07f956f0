/**
 * `RedisStateStore` against what others write to its Redis: forged and malformed messages on the
 * channel (published by a raw client), malformed circuit hashes and window buckets (written by a
 * raw client). No member may adopt a state the compare-and-set did not store, no circuit may stay
 * open past its policy's longest open period, and nothing sent may crash a process.
 */
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CircuitPolicy } from '../../src/core/policy.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { Child } from './redis/child.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';
import { eventually } from './state-store.contract.js';

const skip = skipRedis();
const memberScript = fileURLToPath(new URL('./redis/fleet-member.ts', import.meta.url));
const TRIP: CircuitPolicy = { trip: { consecutiveFailures: 1 }, openMs: 300 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hashKey = (prefix: string, name = 'svc') =>
  `${prefix}c:{${Buffer.from(name).toString('base64url')}}`;
let server: RedisServer;
let raw: Redis;
let prefixN = 0;
const cleanups: Array<() => Promise<void>> = [];

/** Registries on their own clients and stores, sharing a fresh prefix. */
async function fleet(n: number, policy: CircuitPolicy = TRIP, shareCounts = false) {
  const prefix = `hostile${prefixN++}:`;
  const clients = Array.from({ length: n }, () => server.client());
  await Promise.all(clients.map((c) => new Promise((r) => c.once('ready', r))));
  const registries = clients.map(
    (client) =>
      new CircuitRegistry({
        store: new RedisStateStore({ client, prefix, shareCounts, flushMs: 100 }),
        defaults: policy,
      }),
  );
  cleanups.push(async () => {
    await Promise.all(registries.map((r) => r.close()));
    clients.forEach((c) => c.disconnect());
  });
  registries.forEach((r) => r.get('svc'));
  await sleep(100); // subscribed and reconciled
  return { prefix, registries, channel: `${prefix}events` };
}

const forged = (g: number, ...rest: unknown[]) =>
  JSON.stringify({ n: 'svc', o: 'intruder', f: [g, ...rest] });

async function hmgetCalls(): Promise<number> {
  const info = (await raw.call('INFO', 'commandstats')) as string;
  return Number(/cmdstat_hmget:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describe.skipIf(skip)('RedisStateStore against forged and malformed data', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
    raw = server.client();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await Child.stopAll();
    raw?.disconnect();
    await server?.stop();
  });

  it('adopts no state from a forged message, however new it claims to be', async () => {
    const { registries, channel, prefix } = await fleet(2);
    await raw.publish(channel, JSON.stringify({ n: 'svc', o: 'intruder', f: [1, 'open'] }));
    await raw.publish(channel, forged(2 ** 53 - 1, 'open', Date.now() + 60_000, 1));
    await raw.publish(channel, forged(7, 'forced-open', '', 1));
    await sleep(200);
    for (const r of registries) {
      expect(r.get('svc').state).toBe('closed');
      expect(r.get('svc').generation).toBe(0);
    }
    // The fleet is not poisoned: a real trip still reaches the other member.
    registries[0]!.get('svc').tryAcquire()!.record('failure');
    await eventually(() => expect(registries[1]!.get('svc').state).toBe('open'));
    expect(await raw.hmget(hashKey(prefix), 'g', 's')).toEqual(['1', 'open']);
  });

  it('turns a flood of forged messages into a bounded number of reads, adopting none', async () => {
    const { registries, channel } = await fleet(2);
    const before = await hmgetCalls();
    const started = Date.now();
    for (let i = 0; i < 5_000 && Date.now() - started < 10_000; i++) {
      void raw.publish(channel, forged(i + 1, 'open', Date.now() + 60_000, 1));
    }
    await raw.ping();
    await sleep(200);
    const reads = (await hmgetCalls()) - before;
    expect(reads).toBeGreaterThan(0); // each store did look
    expect(reads).toBeLessThan(500); // but not once per message (5,000 × 2 stores)
    for (const r of registries) expect(r.get('svc').state).toBe('closed');
  });

  it('survives garbage on the channel in a separate process, and keeps sharing', async () => {
    const prefix = `hostile${prefixN++}:`;
    const children = await Promise.all(
      [0, 1].map(() =>
        Child.start(memberScript, [String(server.port), prefix, JSON.stringify(TRIP)]),
      ),
    );
    await Promise.all(children.map((c) => c.ask({ cmd: 'state', name: 'svc' })));
    const channel = `${prefix}events`;
    const junk = [
      'not json',
      '',
      'null',
      '[]',
      '"svc"',
      '{"n":5,"o":"x","f":[1,"open"]}',
      '{"n":"svc","o":"x","f":"open"}',
      '{"n":"svc","o":{"toString":1},"f":[1,"open"]}',
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"n":"__proto__","o":"x","f":[1,"open"]}',
      '{"n":"svc","o":"x","f":[1e400,"open",1e400,-1]}',
      JSON.stringify({ n: 'svc', o: 'x', f: [1, 'open', 'x'.repeat(2_000_000)] }),
      '{"n":"svc","o":"x","f":[1,"open"' + '['.repeat(100_000),
    ];
    for (const m of junk) await raw.publish(channel, m);
    await sleep(200);
    for (const c of children) {
      const s = await c.ask<{ state: string; generation: number }>({ cmd: 'state', name: 'svc' });
      expect(s).toMatchObject({ state: 'closed', generation: 0 });
    }
    await children[0]!.ask({ cmd: 'trip', name: 'svc' });
    await eventuallyAsync(async () => {
      const s = await children[1]!.ask<{ state: string }>({ cmd: 'state', name: 'svc' });
      expect(s.state).toBe('open');
    });
  });

  it('ignores a stored open state without an open-until, and overwrites it on the next trip', async () => {
    const prefix = `hostile${prefixN++}:`;
    await raw.hset(hashKey(prefix), 'g', '5', 's', 'open');
    const client = server.client();
    const registry = new CircuitRegistry({
      store: new RedisStateStore({ client, prefix }),
      defaults: TRIP,
    });
    cleanups.push(async () => {
      await registry.close();
      client.disconnect();
    });
    registry.get('svc');
    await sleep(150);
    expect(registry.get('svc').state).toBe('closed');
    registry.get('svc').tryAcquire()!.record('failure');
    await eventuallyAsync(async () =>
      expect(await raw.hmget(hashKey(prefix), 'g', 's')).toEqual(['1', 'open']),
    );
    expect(registry.get('svc').snapshot().retryAfterMs).toBeGreaterThan(0);
  });

  it('adopts no generation beyond 2^48 from a stored hash', async () => {
    const prefix = `hostile${prefixN++}:`;
    await raw.hset(hashKey(prefix), 'g', String(2 ** 53 - 1), 's', 'closed', 'u', '', 'o', '0');
    const { registries } = await fleetOn(prefix, 2);
    for (const r of registries) expect(r.get('svc').generation).toBe(0);
    registries[0]!.get('svc').tryAcquire()!.record('failure');
    await eventually(() => expect(registries[1]!.get('svc').state).toBe('open'));
    expect(registries[1]!.get('svc').generation).toBe(1);
  });

  it('keeps no circuit open past its policy maximum, whatever open-until Redis holds', async () => {
    const prefix = `hostile${prefixN++}:`;
    const farAway = Date.now() + 30 * 24 * 3_600_000;
    await raw.hset(hashKey(prefix), 'g', '3', 's', 'open', 'u', String(farAway), 'o', '1');
    const { registries, channel } = await fleetOn(prefix, 1);
    const circuit = registries[0]!.get('svc');
    expect(circuit.state).toBe('open');
    expect(circuit.snapshot().retryAfterMs).toBeLessThanOrEqual(300);
    // Hints re-reading the same hash do not restart the capped period: past 300 ms it probes.
    const start = Date.now();
    while (Date.now() - start < 800) {
      await raw.publish(channel, forged(3, 'open', farAway, 1));
      await sleep(40);
    }
    expect(circuit.state).toBe('half-open');
  });

  it('judges its local window when shared window buckets hold impossible counts', async () => {
    const policy: CircuitPolicy = {
      trip: { failureRate: 0.5, minimumCalls: 5, windowMs: 5_000 },
      openMs: 60_000,
    };
    const { prefix, registries } = await fleet(1, policy, true);
    const base = `${prefix}w:{${Buffer.from('svc').toString('base64url')}}:0:`;
    const second = Math.floor(Date.now() / 1000);
    for (let s = second - 4; s <= second + 3; s++) {
      await raw.hset(`${base}${s}`, 'c', '10', 'f', '1000');
      await raw.pexpire(`${base}${s}`, 10_000);
    }
    const circuit = registries[0]!.get('svc');
    for (let i = 0; i < 3; i++) {
      circuit.tryAcquire()?.record('success');
      await sleep(150); // a flush reads the buckets back
    }
    expect(circuit.state).toBe('closed');
  });

  it('lets no negative count in a window bucket cancel real calls', async () => {
    const policy: CircuitPolicy = {
      trip: { failureRate: 0.5, minimumCalls: 5, windowMs: 5_000 },
      openMs: 60_000,
    };
    const { prefix, registries } = await fleet(1, policy, true);
    const base = `${prefix}w:{${Buffer.from('svc').toString('base64url')}}:0:`;
    await raw.hset(`${base}${Math.floor(Date.now() / 1000) - 1}`, 'c', '-4');
    await raw.pexpire(`${base}${Math.floor(Date.now() / 1000) - 1}`, 10_000);
    const circuit = registries[0]!.get('svc');
    for (let i = 0; i < 10; i++) circuit.tryAcquire()?.record(i < 6 ? 'success' : 'failure');
    await sleep(350); // flushed and read back: 4 failures of 10 calls, not of 6
    expect(circuit.state).toBe('closed');
  });
});

/** Polls an async `check` until it resolves (at most 2 s). */
async function eventuallyAsync(check: () => Promise<void>): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() - start > 2_000) throw error;
      await sleep(10);
    }
  }
}

/** Registries on a prefix whose keys a test wrote first. */
async function fleetOn(prefix: string, n: number) {
  const clients = Array.from({ length: n }, () => server.client());
  const registries = clients.map(
    (client) =>
      new CircuitRegistry({ store: new RedisStateStore({ client, prefix }), defaults: TRIP }),
  );
  cleanups.push(async () => {
    await Promise.all(registries.map((r) => r.close()));
    clients.forEach((c) => c.disconnect());
  });
  registries.forEach((r) => r.get('svc'));
  await eventually(() => expect(clients.every((c) => c.status === 'ready')).toBe(true));
  await sleep(150);
  return { registries, channel: `${prefix}events` };
}
