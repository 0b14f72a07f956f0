/**
 * Several processes sharing circuits through a real redis-server: what one process learns, all
 * know; simultaneous trips give one open period; probes are limited fleet-wide; and Redis going
 * away (killed, or paused with SIGSTOP) never fails or slows a call.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Child } from './redis/child.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';

const skip = skipRedis();
const memberScript = fileURLToPath(new URL('./redis/fleet-member.ts', import.meta.url));
let server: RedisServer;
let prefixN = 0;
/** The prefix of the fleet started last. */
let prefix = '';

/** A fleet member (fleet-member.ts) in its own process. */
class Member {
  private constructor(private readonly child: Child) {}

  static async start(prefix: string, policy: object): Promise<Member> {
    const args = [String(server.port), prefix, JSON.stringify(policy)];
    return new Member(await Child.start(memberScript, args));
  }

  ask<T = { state: string; generation: number; retryAfterMs: number; statuses: string[] }>(
    m: object,
  ): Promise<T> {
    return this.child.ask<T>(m);
  }
}

/** What a member reports after a `cycle` run (see fleet-member.ts). */
interface Cycle {
  ran: number;
  rejected: number;
  unexpected: number;
  maxMs: number;
  closedAt: number[];
}

async function startFleet(n: number, policy: object): Promise<Member[]> {
  prefix = `fleet${prefixN++}:`;
  const fleet = await Promise.all(Array.from({ length: n }, () => Member.start(prefix, policy)));
  await new Promise((r) => setTimeout(r, 100)); // subscriptions in place
  return fleet;
}

async function eventuallyAsync(check: () => Promise<void>, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() - start > timeoutMs) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe.skipIf(skip)('RedisStateStore across processes', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    server.resume();
    await Child.stopAll();
    if (!server.running) await server.launch(); // a test that failed while Redis was down
  });
  afterAll(async () => {
    await Child.stopAll();
    await server?.stop();
  });

  it('shows a circuit one process trips as open in every process', async () => {
    const members = await startFleet(3, { trip: { consecutiveFailures: 1 }, openMs: 60_000 });
    await Promise.all(members.map((m) => m.ask({ cmd: 'state', name: 'svc' })));
    const started = Date.now();
    await members[0]!.ask({ cmd: 'trip', name: 'svc' });
    await eventuallyAsync(async () => {
      for (const m of members)
        expect((await m.ask({ cmd: 'state', name: 'svc' })).state).toBe('open');
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives one open period when every process trips at once', async () => {
    const members = await startFleet(3, { trip: { consecutiveFailures: 1 }, openMs: 60_000 });
    const watcher = server.client();
    const published: Array<{ n: string; f: unknown[] }> = [];
    watcher.on('message', (_channel: string, m: string) => published.push(JSON.parse(m)));
    try {
      await watcher.subscribe(`${prefix}events`);
      await Promise.all(members.map((m) => m.ask({ cmd: 'state', name: 'svc' })));
      await Promise.all(members.map((m) => m.ask({ cmd: 'trip', name: 'svc' })));
      await eventuallyAsync(async () => {
        const states = await Promise.all(members.map((m) => m.ask({ cmd: 'state', name: 'svc' })));
        expect(states.map((s) => [s.state, s.generation])).toEqual([
          ['open', 1],
          ['open', 1],
          ['open', 1],
        ]);
        const left = states.map((s) => s.retryAfterMs);
        expect(Math.max(...left) - Math.min(...left)).toBeLessThan(100);
      });
      // One transition stored and announced, not one per process.
      await new Promise((r) => setTimeout(r, 100));
      expect(published.map((m) => [m.n, ...m.f.slice(0, 2)])).toEqual([['svc', 1, 'open']]);
    } finally {
      watcher.disconnect();
    }
  });

  it('lets at most halfOpenProbes probe calls through across the fleet', async () => {
    const members = await startFleet(3, {
      trip: { consecutiveFailures: 1 },
      openMs: 400,
      halfOpenProbes: 2,
    });
    await Promise.all(members.map((m) => m.ask({ cmd: 'state', name: 'svc' })));
    await members[0]!.ask({ cmd: 'trip', name: 'svc' });
    await new Promise((r) => setTimeout(r, 500));
    let granted = 0;
    const deadline = Date.now() + 600; // leases answer within a few ms; ask repeatedly meanwhile
    while (Date.now() < deadline) {
      for (const m of members)
        if ((await m.ask<{ granted: boolean }>({ cmd: 'acquire', name: 'svc' })).granted) granted++;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(granted).toBe(2);
  });

  it('fails no call when Redis is killed, and re-syncs within 1 s after it restarts', async () => {
    const members = await startFleet(2, { trip: { consecutiveFailures: 1 }, openMs: 60_000 });
    // A circuit tripping and recovering every few ms in both processes, Redis killed mid-run.
    const during = Promise.all(
      members.map((m) => m.ask<Cycle>({ cmd: 'cycle', name: 'flaky', ms: 1_500 })),
    );
    await new Promise((r) => setTimeout(r, 400));
    await server.kill();
    const killedAt = Date.now();
    const results = await during;
    for (const r of results) {
      expect(r.unexpected).toBe(0);
      expect(r.maxMs).toBeLessThan(50);
      expect(r.closedAt.filter((t) => t < killedAt).length).toBeGreaterThan(0);
      // Probes still granted without Redis: the circuit kept recovering.
      expect(r.closedAt.filter((t) => t > killedAt + 300).length).toBeGreaterThanOrEqual(3);
    }
    await eventuallyAsync(async () => {
      expect((await members[0]!.ask({ cmd: 'state', name: 'svc' })).statuses).toContain('degraded');
    });
    // Down: circuits run locally.
    await members[0]!.ask({ cmd: 'trip', name: 'svc' });
    expect((await members[0]!.ask({ cmd: 'state', name: 'svc' })).state).toBe('open');
    await server.launch();
    const back = Date.now();
    await eventuallyAsync(async () => {
      expect((await members[1]!.ask({ cmd: 'state', name: 'svc' })).state).toBe('open');
    }, 3_000);
    expect(Date.now() - back).toBeLessThan(1_000 + 200);
  });

  it('keeps calls at normal speed while Redis is paused (SIGSTOP)', async () => {
    const members = await startFleet(2, { trip: { consecutiveFailures: 1 }, openMs: 60_000 });
    await Promise.all(members.map((m) => m.ask({ cmd: 'state', name: 'svc' })));
    server.pause();
    const pausedAt = Date.now();
    await members[0]!.ask({ cmd: 'trip', name: 'svc' });
    const results = await Promise.all(
      members.map((m) => m.ask<Cycle>({ cmd: 'cycle', name: 'busy', ms: 1_000 })),
    );
    for (const r of results) {
      expect(r.unexpected).toBe(0);
      expect(r.maxMs).toBeLessThan(50);
      // Leases unanswered for leaseTimeoutMs (200 ms), then granted locally at once.
      expect(r.closedAt.filter((t) => t > pausedAt + 400).length).toBeGreaterThanOrEqual(3);
    }
    expect((await members[0]!.ask({ cmd: 'state', name: 'svc' })).state).toBe('open');
    // Noticed by the heartbeat (no answer within leaseTimeoutMs) while the calls ran.
    await eventuallyAsync(async () => {
      expect((await members[1]!.ask({ cmd: 'state', name: 'busy' })).statuses).toEqual([
        'degraded',
      ]);
    });
    server.resume();
    const resumed = Date.now();
    await eventuallyAsync(async () => {
      expect((await members[1]!.ask({ cmd: 'state', name: 'svc' })).state).toBe('open');
    }, 3_000);
    expect(Date.now() - resumed).toBeLessThan(1_000);
    await eventuallyAsync(async () => {
      expect((await members[1]!.ask({ cmd: 'state', name: 'svc' })).statuses).toEqual([
        'degraded',
        'connected',
      ]);
    });
  });
});
