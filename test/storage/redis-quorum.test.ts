/**
 * `sharing: { quorum }` across processes on a real redis-server: each member calls a real HTTP
 * dependency through its own TCP path (faulty-path.ts). A member whose own path breaks opens
 * alone; enough members seeing failures open the whole fleet; the base of `share` follows
 * members that join, and members killed with SIGKILL, within one `activeMs`.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { Child } from './redis/child.js';
import { Dependency, FaultyPath } from './redis/faulty-path.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';

const skip = skipRedis();
const memberScript = fileURLToPath(new URL('./redis/fleet-member.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: RedisServer;
let prefixN = 0;
const closers: Array<() => Promise<void>> = [];

interface State {
  state: string;
  generation: number;
}
interface Hit {
  ok: number;
  failed: number;
  rejected: number;
  state: string;
}

async function startMembers(prefix: string, n: number, policy: object, quorum: object) {
  const args = [String(server.port), prefix, JSON.stringify(policy)];
  args.push(JSON.stringify({ sharing: { quorum } }));
  return Promise.all(Array.from({ length: n }, () => Child.start(memberScript, args)));
}

const state = async (m: Child, name = 'svc') => (await m.ask<State>({ cmd: 'state', name })).state;

async function eventuallyAsync(check: () => Promise<void>, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() - start > timeoutMs) throw e;
      await sleep(20);
    }
  }
}

describe.skipIf(skip)('RedisStateStore with sharing: { quorum }', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterEach(async () => {
    await Child.stopAll();
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  afterAll(async () => {
    await Child.stopAll();
    await server?.stop();
  });

  it('rejects bad sharing options with ConfigError naming the option', () => {
    const client = server.client();
    try {
      const bad: Array<[unknown, string]> = [
        ['all', "sharing must be 'any' or { quorum: { ... } }"],
        [{ quorum: { share: 1.5 } }, 'sharing.quorum.share must be a number in [0, 1]; got 1.5'],
        [{ quorum: { minMembers: 0 } }, 'sharing.quorum.minMembers must be an integer >= 1'],
        [{ quorum: { windowMs: -1 } }, 'sharing.quorum.windowMs must be a finite number > 0'],
        [{ quorum: { activeMs: 10 } }, 'sharing.quorum.activeMs must be >= 100'],
        [{ quorum: { mimMembers: 2 } }, 'sharing.quorum.mimMembers is not a known option'],
        [{ quorum: {}, extra: 1 }, 'sharing.extra is not a known option'],
        [{ quorum: { minMembers: 2.5 } }, 'sharing.quorum.minMembers must be an integer >= 1'],
        [{ quorum: { windowMs: Infinity } }, 'sharing.quorum.windowMs must be a finite number'],
        [
          {
            quorum: {
              get share() {
                throw new TypeError('hostile getter');
              },
            },
          },
          'sharing could not be read',
        ],
      ];
      for (const [sharing, message] of bad) {
        const make = () => new RedisStateStore({ client, sharing: sharing as never });
        expect(make).toThrow(ConfigError);
        expect(make).toThrow(message);
      }
      expect(
        () => new RedisStateStore({ client, shareCounts: true, sharing: { quorum: {} } }),
      ).toThrow('shareCounts cannot be combined with sharing: { quorum }');
    } finally {
      client.disconnect();
    }
  });

  it('brings a member back in step after its own episode: a later fleet opening still reaches it', async () => {
    const clock = new ManualClock(0);
    const prefix = `quorum${prefixN++}:`;
    const clients = [server.client(), server.client()];
    const registries = clients.map(
      (client) =>
        new CircuitRegistry({
          store: new RedisStateStore({ client, prefix, sharing: { quorum: { minMembers: 2 } } }),
          clock,
          defaults: { trip: { consecutiveFailures: 1 }, openMs: 1_000, halfOpenProbes: 1 },
        }),
    );
    closers.push(async () => {
      await Promise.all(registries.map((r) => r.close()));
      clients.forEach((c) => c.disconnect());
    });
    const [a, b] = registries.map((r) => r.get('svc'));
    await sleep(200);
    // a trips alone, probes alone and closes again: three transitions the fleet never saw.
    a!.tryAcquire()!.record('failure');
    await sleep(100);
    expect([a!.state, b!.state]).toEqual(['open', 'closed']);
    clock.advance(1_000);
    a!.tryAcquire()!.record('success');
    expect(a!.state).toBe('closed');
    expect(a!.generation).toBe(3);
    // b trips: with a's vote still in the window that is two, and the fleet opens for both.
    b!.tryAcquire()!.record('failure');
    const until = Date.now() + 2_000;
    while (a!.state !== 'open' && Date.now() < until) await sleep(10);
    expect([a!.state, b!.state]).toEqual(['open', 'open']);
    // An operator's forceOpen and reset reach the whole fleet.
    clock.advance(1_000);
    a!.forceOpen();
    await sleep(100);
    expect(b!.state).toBe('forced-open');
    a!.reset();
    await sleep(100);
    expect(b!.state).toBe('closed');
  });

  it('opens only the member whose own path fails; a second one makes the quorum and opens all', async () => {
    const dependency = await Dependency.start();
    const paths = await Promise.all([0, 1, 2, 3].map(() => FaultyPath.start(dependency.port)));
    closers.push(async () => {
      await Promise.all(paths.map((p) => p.close()));
      await dependency.close();
    });
    const policy = { trip: { consecutiveFailures: 3 }, openMs: 1_500, halfOpenProbes: 1 };
    const members = await startMembers(`quorum${prefixN++}:`, 4, policy, {
      minMembers: 2,
      share: 0.5,
      activeMs: 1_500,
    });
    await sleep(1_500); // every member has counted the others
    const hit = (i: number) =>
      members[i]!.ask<Hit>({ cmd: 'hit', name: 'svc', url: paths[i]!.url, count: 5 });

    paths[0]!.break();
    expect(await hit(0)).toMatchObject({ ok: 0, failed: 3, rejected: 2, state: 'open' });
    for (const i of [1, 2, 3]) expect(await hit(i)).toMatchObject({ ok: 5, state: 'closed' });
    await sleep(300);
    for (const i of [1, 2, 3]) expect(await state(members[i]!)).toBe('closed');

    paths[1]!.break();
    expect(await hit(1)).toMatchObject({ failed: 3, state: 'open' });
    await eventuallyAsync(async () => {
      for (const m of members) expect(await state(m)).toBe('open');
    });
    const reached = dependency.requests;
    for (const i of [2, 3]) expect(await hit(i)).toMatchObject({ ok: 0, rejected: 5 });
    expect(dependency.requests).toBe(reached);

    // The fleet's half-open probes are leased fleet-wide: one probe across the four members.
    await sleep(1_600);
    let granted = 0;
    const deadline = Date.now() + 500;
    while (Date.now() < deadline) {
      for (const m of members)
        if ((await m.ask<{ granted: boolean }>({ cmd: 'acquire', name: 'svc' })).granted) granted++;
      await sleep(10);
    }
    expect(granted).toBe(1);
  });

  it('follows members that join and members killed with SIGKILL within one activeMs', async () => {
    const prefix = `quorum${prefixN++}:`;
    const policy = { trip: { consecutiveFailures: 1 }, openMs: 60_000 };
    const quorum = { minMembers: 1, share: 0.5, activeMs: 2_000 };
    const names = ['one', 'two', 'three'];
    // One question at a time per child: its answers come back in order.
    const attachAll = (list: Child[]) =>
      Promise.all(
        list.map(async (m) => {
          for (const name of names) await state(m, name);
        }),
      );
    const members = await startMembers(prefix, 4, policy, quorum);
    await attachAll(members);
    await sleep(2_000);
    const [a, b] = members as [Child, Child];

    // Four members: a single trip (1 of the 2 needed) opens only the member that tripped.
    await a.ask({ cmd: 'trip', name: 'one' });
    await sleep(300);
    expect([await state(a, 'one'), await state(b, 'one')], 'one').toEqual(['open', 'closed']);

    // Two killed: within one activeMs the base is two, and one trip (1 of 1) opens both.
    await Promise.all(members.slice(2).map((m) => m.kill()));
    await sleep(2_000);
    await b.ask({ cmd: 'trip', name: 'two' });
    await eventuallyAsync(async () => expect(await state(a, 'two')).toBe('open'), 1_000);

    // Two join: within one activeMs the base is four again; one trip opens only its member.
    await attachAll(await startMembers(prefix, 2, policy, quorum));
    await sleep(2_000);
    await a.ask({ cmd: 'trip', name: 'three' });
    await sleep(300);
    expect([await state(a, 'three'), await state(b, 'three')], 'three').toEqual(['open', 'closed']);
  });
});
