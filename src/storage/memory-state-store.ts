/**
 * An in-process `StateStore`: registries that share one instance behave like a fleet sharing a
 * Redis store — one open period per trip, probe slots leased across all of them. Useful for
 * several registries in one process, and as the reference the Redis store is tested against.
 * Everything happens synchronously, so tests with a `ManualClock` need no waiting.
 */
import type { Clock } from '../core/clock.js';
import type { CircuitSync, SharedCircuitState } from '../core/circuit-sync.js';
import {
  toShared,
  toStored,
  type StateStore,
  type StoredState,
  type SyncedCircuit,
} from './state-store.js';
import { ASYNC_DISPOSE } from '../core/disposable.js';

interface Member {
  circuit: SyncedCircuit;
  clock: Clock;
}

interface Lease {
  generation: number;
  taken: number;
  expiresAt: number;
}

export class MemoryStateStore implements StateStore {
  private readonly states = new Map<string, StoredState>();
  private readonly members = new Map<string, Set<Member>>();
  private readonly leases = new Map<string, Lease>();

  attach(name: string, circuit: SyncedCircuit, clock: Clock): CircuitSync {
    const member: Member = { circuit, clock };
    let set = this.members.get(name);
    if (!set) this.members.set(name, (set = new Set()));
    set.add(member);
    const stored = this.states.get(name);
    if (stored) circuit.adopt(toShared(stored, clock));
    return {
      publish: (next) => this.publish(name, member, next),
      leaseProbes: (generation, wanted, ttlMs, grant) =>
        grant(this.lease(name, generation, wanted, ttlMs, clock)),
      detach: () => {
        set.delete(member);
        if (set.size === 0) this.members.delete(name);
      },
    };
  }

  /** Nothing to release: the store holds no connection. Registries detach their own circuits. */
  async close(): Promise<void> {}

  /** `close()`, for `await using`. */
  [ASYNC_DISPOSE](): Promise<void> {
    return this.close();
  }

  private publish(name: string, from: Member, next: SharedCircuitState): void {
    const stored = this.states.get(name);
    if (stored && next.generation <= stored.generation) {
      from.circuit.adopt(toShared(stored, from.clock));
      return;
    }
    const s = toStored(next, from.clock);
    this.states.set(name, s);
    for (const m of this.members.get(name) ?? [])
      if (m !== from) m.circuit.adopt(toShared(s, m.clock));
  }

  private lease(
    name: string,
    generation: number,
    wanted: number,
    ttlMs: number,
    clock: Clock,
  ): number {
    const now = clock.now();
    let lease = this.leases.get(name);
    if (!lease || lease.generation !== generation || now >= lease.expiresAt) {
      lease = { generation, taken: 0, expiresAt: now + ttlMs };
      this.leases.set(name, lease);
    }
    const granted = Math.max(0, wanted - lease.taken);
    lease.taken += granted;
    return granted;
  }
}
