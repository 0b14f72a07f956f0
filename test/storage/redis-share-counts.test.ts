/**
 * `RedisStateStore` with `shareCounts: true`: failure-rate windows judged on the whole fleet's
 * calls, written in batches, against a real redis-server — two registries in this process (each
 * with its own connection, as two processes would have), then separate child processes.
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
const memberScript = fileURLToPath(new URL('./redis/counting-member.ts', import.meta.url));
const RATE: CircuitPolicy = {
  trip: { failureRate: 0.5, minimumCalls: 10, windowMs: 10_000 },
  openMs: 60_000,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: RedisServer;
let prefixN = 0;
const cleanups: Array<() => Promise<void>> = [];

/** Two registries, each on its own client and store, sharing one prefix. */
async function pair(
  policy: CircuitPolicy,
  shareCounts = true,
): Promise<{ registries: CircuitRegistry[]; clients: Redis[] }> {
  const prefix = `share${prefixN++}:`;
  const clients = [server.client(), server.client()];
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
  return { registries, clients };
}

function fail(registry: CircuitRegistry, count: number, name = 'svc'): void {
  for (let i = 0; i < count; i++) registry.get(name).tryAcquire()?.record('failure');
}

describe.skipIf(skip)('RedisStateStore with shareCounts', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await Child.stopAll();
    await server?.stop();
  });

  it('opens on the fleet failure rate after a flush, though neither member reaches minimumCalls', async () => {
    const { registries } = await pair(RATE);
    const reasons: string[] = [];
    registries.forEach((r) => r.onStateChange((e) => e.reason && reasons.push(e.reason)));
    fail(registries[0]!, 5);
    fail(registries[1]!, 5);
    expect(registries.map((r) => r.get('svc').state)).toEqual(['closed', 'closed']);
    await eventually(() => {
      expect(registries.map((r) => r.get('svc').state)).toEqual(['open', 'open']);
    });
    expect(reasons).toContain('failure-rate');
  });

  it('keeps the same failures local without shareCounts: nothing opens', async () => {
    const { registries } = await pair(RATE, false);
    fail(registries[0]!, 5);
    fail(registries[1]!, 5);
    await sleep(400);
    expect(registries.map((r) => r.get('svc').state)).toEqual(['closed', 'closed']);
  });

  it('counts from zero again once the circuit closes: the failures that opened it are gone', async () => {
    const { registries } = await pair(RATE);
    fail(registries[0]!, 5);
    fail(registries[1]!, 5);
    await eventually(() => {
      expect(registries.map((r) => r.get('svc').state)).toEqual(['open', 'open']);
    });
    registries[0]!.get('svc').reset();
    await eventually(() => {
      expect(registries.map((r) => r.get('svc').state)).toEqual(['closed', 'closed']);
    });
    fail(registries[0]!, 1);
    fail(registries[1]!, 1);
    await sleep(400);
    expect(registries.map((r) => r.get('svc').state)).toEqual(['closed', 'closed']);
    // ...but the new period is shared as well.
    fail(registries[0]!, 4);
    fail(registries[1]!, 4);
    await eventually(() => {
      expect(registries.map((r) => r.get('svc').state)).toEqual(['open', 'open']);
    });
  });

  it('writes in batches: 2,000 calls cost a handful of Redis commands, not one each', async () => {
    const { registries, clients } = await pair(RATE);
    const evals = async () => {
      const info = await clients[0]!.info('commandstats');
      return Number(/cmdstat_eval:calls=(\d+)/.exec(info)?.[1] ?? 0);
    };
    const before = await evals();
    const circuit = registries[0]!.get('busy');
    const started = Date.now();
    for (let i = 0; i < 2_000; i++) {
      await circuit.execute(async () => 'ok');
      if (i % 100 === 0) await sleep(5);
    }
    await sleep(250);
    const batches = Math.ceil((Date.now() - started) / 100) + 2;
    expect((await evals()) - before).toBeLessThanOrEqual(batches);
    expect(circuit.state).toBe('closed');
  });

  it('keeps count windows (windowCalls) local', async () => {
    const { registries } = await pair({
      trip: { failureRate: 0.5, minimumCalls: 10, windowCalls: 20 },
      openMs: 60_000,
    });
    fail(registries[0]!, 5);
    fail(registries[1]!, 5);
    await sleep(400);
    expect(registries.map((r) => r.get('svc').state)).toEqual(['closed', 'closed']);
  });

  describe('across processes', () => {
    async function start(n: number, shareCounts: boolean): Promise<Child[]> {
      const prefix = `shareproc${prefixN++}:`;
      const args = [String(server.port), prefix, JSON.stringify(RATE), String(shareCounts)];
      return Promise.all(Array.from({ length: n }, () => Child.start(memberScript, args)));
    }

    function ask(child: Child, m: object): Promise<{ state: string; reason: string }> {
      return child.ask(m);
    }

    afterEach(async () => {
      await Child.stopAll();
    });

    it('opens every process on failures spread over three of them (4 each, minimumCalls 10)', async () => {
      const fleet = await start(3, true);
      const after = await Promise.all(
        fleet.map((c) => ask(c, { cmd: 'fail', name: 'svc', count: 4 })),
      );
      expect(after.map((s) => s.state)).toEqual(['closed', 'closed', 'closed']);
      const started = Date.now();
      let states: Array<{ state: string; reason: string }> = [];
      while (Date.now() - started < 2_000) {
        states = await Promise.all(fleet.map((c) => ask(c, { cmd: 'state', name: 'svc' })));
        if (states.every((s) => s.state === 'open')) break;
        await sleep(20);
      }
      expect(states.map((s) => s.state)).toEqual(['open', 'open', 'open']);
      expect(states.map((s) => s.reason)).toContain('failure-rate');
    });

    it('leaves them closed without shareCounts', async () => {
      const fleet = await start(3, false);
      await Promise.all(fleet.map((c) => ask(c, { cmd: 'fail', name: 'svc', count: 4 })));
      await sleep(400);
      const states = await Promise.all(fleet.map((c) => ask(c, { cmd: 'state', name: 'svc' })));
      expect(states.map((s) => s.state)).toEqual(['closed', 'closed', 'closed']);
    });
  });

  it('counts locally while Redis is paused (SIGSTOP), at normal speed', async () => {
    const { registries } = await pair(RATE, true);
    fail(registries[0]!, 3);
    fail(registries[1]!, 3);
    await sleep(250); // flushed: fleet totals 6 calls
    server.pause();
    try {
      let maxMs = 0;
      const busy = registries[0]!.get('busy');
      for (let i = 0; i < 500; i++) {
        const t = performance.now();
        await busy.execute(async () => 'ok');
        maxMs = Math.max(maxMs, performance.now() - t);
      }
      expect(maxMs).toBeLessThan(50);
      await sleep(450); // more than 3 flush periods unanswered: the fleet totals are not trusted
      fail(registries[0]!, 6); // local window: 9 calls, below minimumCalls
      expect(registries[0]!.get('svc').state).toBe('closed');
      fail(registries[0]!, 1);
      expect(registries[0]!.get('svc').state).toBe('open');
    } finally {
      server.resume();
    }
  });

  it('counts locally while Redis is down, and no call fails because of it', async () => {
    // Last test of the file: it kills the shared server.
    const { registries } = await pair(RATE, true);
    fail(registries[0]!, 3);
    fail(registries[1]!, 3);
    await sleep(250); // flushed: fleet totals 6 calls
    await server.kill();
    let failed = 0;
    const busy = registries[0]!.get('busy');
    for (let i = 0; i < 500; i++) await busy.execute(async () => 'ok').catch(() => failed++);
    expect(failed).toBe(0);
    await sleep(250); // a flush period: the stale fleet totals are dropped
    // The local window: 3 + 6 = 9 calls, below minimumCalls (the fleet's totals would say 12).
    fail(registries[0]!, 6);
    expect(registries[0]!.get('svc').state).toBe('closed');
    fail(registries[0]!, 1);
    expect(registries[0]!.get('svc').state).toBe('open');
    expect(registries[0]!.get('svc').snapshot().lastTripReason).toBe('failure-rate');
  });
});
