/**
 * The contract every StateStore must meet, run against each implementation (memory, Redis).
 * A "fleet" is several registries, each with its own store instance (for Redis: its own
 * connection, as separate processes would have), all sharing one ManualClock so that open
 * periods are driven by hand; only the store's own propagation is waited for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { StateStore } from '../../src/core/circuit-sync.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';

/** Polls `check` until it stops throwing (at most `timeoutMs`). */
export async function eventually(check: () => void, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export interface StoreFleet {
  /** One store per member. */
  stores: StateStore[];
  /** Releases whatever the stores use (connections). */
  cleanup(): Promise<void>;
}

export function runStateStoreContract(
  label: string,
  makeFleet: (members: number) => Promise<StoreFleet>,
): void {
  describe(`StateStore contract: ${label}`, () => {
    let open: { registries: CircuitRegistry[]; fleet: StoreFleet } | undefined;

    async function fleet(
      members: number,
      policy = { trip: { consecutiveFailures: 1 }, openMs: 1_000, halfOpenProbes: 2 },
    ) {
      const f = await makeFleet(members);
      const clock = new ManualClock(1_000_000);
      const registries = f.stores.map(
        (store) => new CircuitRegistry({ store, clock, defaults: policy }),
      );
      open = { registries, fleet: f };
      return { registries, clock };
    }

    afterEach(async () => {
      if (!open) return;
      for (const r of open.registries) await r.close();
      await open.fleet.cleanup();
      open = undefined;
    });

    function trip(registry: CircuitRegistry, name: string) {
      const p = registry.get(name).tryAcquire();
      expect(p).toBeDefined();
      p!.record('failure');
    }

    it('shows a circuit tripped by one member as open on every member', async () => {
      const { registries } = await fleet(3);
      registries.forEach((r) => r.get('svc/a'));
      await settle();
      trip(registries[0]!, 'svc/a');
      await eventually(() => registries.forEach((r) => expect(r.get('svc/a').state).toBe('open')));
      expect(registries[1]!.get('svc/a').tryAcquire()).toBeUndefined();
    });

    it('gives one open period when two members trip at once', async () => {
      const { registries } = await fleet(2);
      const [a, b] = [registries[0]!.get('svc/b'), registries[1]!.get('svc/b')];
      await settle();
      const [pa, pb] = [a.tryAcquire(), b.tryAcquire()];
      expect(pa && pb).toBeDefined();
      pa!.record('failure');
      pb!.record('failure');
      await eventually(() => {
        expect(a.generation).toBe(b.generation);
        expect(a.state).toBe('open');
        expect(b.state).toBe('open');
        expect(
          Math.abs((a.snapshot().openUntil ?? 0) - (b.snapshot().openUntil ?? 0)),
        ).toBeLessThan(50);
      });
      expect(a.snapshot().consecutiveOpens).toBe(1);
    });

    it('lets at most halfOpenProbes probe calls through across the whole fleet', async () => {
      const { registries, clock } = await fleet(3);
      registries.forEach((r) => r.get('svc/c'));
      await settle();
      trip(registries[0]!, 'svc/c');
      await eventually(() => registries.forEach((r) => expect(r.get('svc/c').state).toBe('open')));
      clock.advance(1_000);
      registries.forEach((r) => expect(r.get('svc/c').state).toBe('half-open'));
      const granted: unknown[] = [];
      await eventually(() => {
        for (const r of registries)
          for (let i = 0; i < 3; i++) {
            const p = r.get('svc/c').tryAcquire();
            if (p) granted.push(p);
          }
        expect(granted.length).toBe(2);
      });
      await settle();
      for (const r of registries) expect(r.get('svc/c').tryAcquire()).toBeUndefined();
      expect(granted).toHaveLength(2);
    });

    it('leaves the probe slots to a member with traffic when another only reads the state', async () => {
      const { registries, clock } = await fleet(2, {
        trip: { consecutiveFailures: 1 },
        openMs: 1_000,
        halfOpenProbes: 1,
      });
      registries.forEach((r) => r.get('svc/g'));
      await settle();
      trip(registries[0]!, 'svc/g');
      await eventually(() => expect(registries[1]!.get('svc/g').state).toBe('open'));
      clock.advance(1_000);
      expect(registries[0]!.get('svc/g').snapshot().state).toBe('half-open');
      await settle();
      let probe: ReturnType<ReturnType<CircuitRegistry['get']>['tryAcquire']>;
      await eventually(() => {
        probe = registries[1]!.get('svc/g').tryAcquire();
        expect(probe).toBeDefined();
      });
      probe!.record('success');
    });

    it('closes every member when the probes succeed on one', async () => {
      const { registries, clock } = await fleet(2, {
        trip: { consecutiveFailures: 1 },
        openMs: 1_000,
        halfOpenProbes: 1,
      });
      registries.forEach((r) => r.get('svc/d'));
      await settle();
      trip(registries[0]!, 'svc/d');
      await eventually(() => expect(registries[1]!.get('svc/d').state).toBe('open'));
      clock.advance(1_000);
      let probe: ReturnType<ReturnType<CircuitRegistry['get']>['tryAcquire']>;
      await eventually(() => {
        probe =
          registries[0]!.get('svc/d').tryAcquire() ?? registries[1]!.get('svc/d').tryAcquire();
        expect(probe).toBeDefined();
      });
      probe!.record('success');
      await eventually(() =>
        registries.forEach((r) => expect(r.get('svc/d').state).toBe('closed')),
      );
    });

    it('brings a member that joins later up to the current state', async () => {
      const { registries } = await fleet(2);
      registries[0]!.get('svc/e');
      await settle();
      trip(registries[0]!, 'svc/e');
      await settle();
      const late = registries[1]!.get('svc/e');
      await eventually(() => expect(late.state).toBe('open'));
    });

    it('shares an operator forcing a circuit open', async () => {
      const { registries } = await fleet(2);
      registries.forEach((r) => r.get('svc/f'));
      await settle();
      registries[0]!.get('svc/f').forceOpen();
      await eventually(() => expect(registries[1]!.get('svc/f').state).toBe('forced-open'));
      registries[1]!.get('svc/f').reset();
      await eventually(() => expect(registries[0]!.get('svc/f').state).toBe('closed'));
    });

    it('keeps circuits whose names look alike apart', async () => {
      const { registries } = await fleet(2);
      const names = ['a:b', 'a', 'a:b:', 'a*', '{a}', 'a b', 'ä/ö'];
      names.forEach((n) => registries.forEach((r) => r.get(n)));
      await settle();
      trip(registries[0]!, 'a:b');
      await eventually(() => expect(registries[1]!.get('a:b').state).toBe('open'));
      await settle();
      for (const n of names.filter((x) => x !== 'a:b'))
        expect(registries[1]!.get(n).state).toBe('closed');
    });
  });
}

/** Lets asynchronous stores finish what they have started (a few event-loop turns). */
export async function settle(ms = 50): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
