/**
 * The compare-and-set at the heart of `RedisStateStore`, seen directly: stand-in circuits publish
 * chosen states through two stores (two connections) on a real redis-server, and a third
 * connection listens on the channel. A transition is stored and announced only over an older
 * generation; a rival or stale publisher gets the stored state back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharedCircuitState, SyncedCircuit } from '../../src/core/circuit-sync.js';
import { ManualClock } from '../../src/core/clock.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';
import { RedisServer, skipRedis } from './redis/redis-server.js';
import { eventually } from './state-store.contract.js';

/** A stand-in circuit: holds the state it is given and records what the store hands it. */
function standIn(): SyncedCircuit & {
  set(s: SharedCircuitState): void;
  adopted: SharedCircuitState[];
} {
  let state: SharedCircuitState = {
    state: 'closed',
    generation: 0,
    openUntil: null,
    consecutiveOpens: 0,
  };
  const adopted: SharedCircuitState[] = [];
  return {
    adopted,
    set: (s) => (state = s),
    adopt: (s) => {
      adopted.push(s);
      if (s.generation >= state.generation) state = s;
    },
    sharedState: () => state,
  };
}

const open = (generation: number, openUntil: number): SharedCircuitState => ({
  state: 'open',
  generation,
  openUntil,
  consecutiveOpens: 1,
});

const skip = skipRedis();
let server: RedisServer;

describe.skipIf(skip)('RedisStateStore compare-and-set', () => {
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stores a transition only over an older generation; a rival or stale one gets the stored state back', async () => {
    const clients = [server.client(), server.client()];
    const watcher = server.client();
    const messages: Array<{ f: unknown[] }> = [];
    watcher.on('message', (_channel: string, m: string) => messages.push(JSON.parse(m)));
    await watcher.subscribe('cas:events');
    const stores = clients.map((client) => new RedisStateStore({ client, prefix: 'cas:' }));
    const clock = new ManualClock(0);
    const [a, b] = [standIn(), standIn()];
    const syncs = [stores[0]!.attach('svc', a, clock), stores[1]!.attach('svc', b, clock)];
    const key = `cas:c:{${Buffer.from('svc').toString('base64url')}}`;
    try {
      await eventually(() => stores.forEach((s) => expect(s.connected).toBe(true)));
      await new Promise((r) => setTimeout(r, 50));
      // Both trip at once: generation 1 with open periods 1 s apart. One is stored; the other
      // gets it back and adopts it: one open period.
      a.set(open(1, 60_000));
      b.set(open(1, 61_000));
      syncs[0]!.publish(a.sharedState());
      syncs[1]!.publish(b.sharedState());
      await eventually(() => expect(a.adopted.length + b.adopted.length).toBe(1));
      const [loser, winner] = a.adopted.length === 1 ? [a, b] : [b, a];
      expect(loser.adopted[0]!.generation).toBe(1);
      expect(Math.abs(loser.adopted[0]!.openUntil! - winner.sharedState().openUntil!)).toBeLessThan(
        50,
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(messages).toHaveLength(1);
      // A stale publisher (generation 1 again, then 2 while 3 is stored) never overwrites.
      const closed3 = {
        state: 'closed' as const,
        generation: 3,
        openUntil: null,
        consecutiveOpens: 0,
      };
      winner.set(closed3);
      syncs[winner === a ? 0 : 1]!.publish(closed3);
      await eventually(() => expect(loser.sharedState().generation).toBe(3));
      const loserSync = syncs[loser === a ? 0 : 1]!;
      for (const stale of [
        { state: 'half-open' as const, generation: 3, openUntil: null, consecutiveOpens: 1 },
        open(2, 70_000),
      ]) {
        loser.set(stale);
        loserSync.publish(stale);
        await eventually(() =>
          expect([loser.sharedState().generation, loser.sharedState().state]).toEqual([
            3,
            'closed',
          ]),
        );
      }
      expect(await clients[0]!.hmget(key, 'g', 's')).toEqual(['3', 'closed']);
      await new Promise((r) => setTimeout(r, 50));
      expect(messages.map((m) => m.f.slice(0, 2))).toEqual([
        [1, 'open'],
        [3, 'closed'],
      ]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      [...clients, watcher].forEach((c) => c.disconnect());
    }
  });
});
