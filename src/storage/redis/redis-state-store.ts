/**
 * `RedisStateStore`: circuits shared by every process that uses the same Redis and prefix.
 *
 * Layout (see keys.ts): per circuit a hash `<prefix>c:{<base64url name>}` holding the shared
 * state — g (generation), s (state), u (open until, wall-clock ms), o (consecutive opens); probe
 * slots `<prefix>lease:{<name>}:<generation>:<slot>`; the channel `<prefix>events` (after the
 * client's own `keyPrefix`, if any), on which every stored transition is published; with
 * `shareCounts`, window buckets (shared-windows.ts).
 *
 * A transition is written by a Lua compare-and-set on the generation (scripts.ts): stored and
 * published only when newer than the stored one, else the stored state comes back and the
 * publisher adopts it. So two processes tripping at once make one open period.
 *
 * Calls never wait on Redis. Writes are fire-and-forget; a probe lease Redis does not answer
 * within `leaseTimeoutMs` is granted locally, and nothing is sent while Redis is down or slow
 * (redis-link.ts), so nothing piles up in the client's queues. Whenever Redis becomes usable
 * (again) — the client's `ready`, a PING answering after a pause, the subscriber re-subscribed —
 * every attached circuit is reconciled with the stored state: the newer generation wins, in
 * either direction. The members' wall clocks are assumed to agree (open periods are in wall time).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type {
  CircuitSync,
  SharedCircuitState,
  SharedCounts,
  StateStore,
  SyncedCircuit,
} from '../../core/circuit-sync.js';
import type { Disposable } from '../../core/types.js';
import { toStored, type StoredState } from '../state-store.js';
import { RedisKeys } from './keys.js';
import { deliver, type Member } from './member.js';
import {
  validateRedisStoreOptions,
  type RedisClient,
  type RedisStateStoreOptions,
} from './options.js';
import { RedisLink } from './redis-link.js';
import { CAS_SCRIPT, LEASE_SCRIPT } from './scripts.js';
import { SharedWindows } from './shared-windows.js';
import { subscribe, type Subscription } from './subscriber.js';
import { decodeTransition, encodeTransition, parseStored, storedFields } from './wire.js';

/** Whether the store reaches Redis, as told to `onStatus` listeners. */
export interface RedisStoreStatus {
  /** `degraded`: Redis is down, slow or refusing the store's commands; circuits run locally. */
  status: 'connected' | 'degraded';
  /**
   * Why it is degraded: the failed command's error, or a `RedisTimeoutError` (code
   * `REDIS_TIMEOUT`) when Redis was too slow; absent when the connection closed.
   */
  error?: unknown;
}

/**
 * A `StateStore` that shares circuits through Redis: every process whose registry uses a store
 * with the same Redis and prefix sees the same open/closed state, and half-open probes are leased
 * fleet-wide. Calls never wait on Redis; while it is unusable, circuits run locally.
 */
export class RedisStateStore implements StateStore {
  private readonly client: RedisClient;
  private readonly subscriber: Subscription;
  private readonly keys: RedisKeys;
  private readonly link: RedisLink;
  private readonly origin = randomUUID();
  private readonly members = new Map<string, Set<Member>>();
  private readonly windows: SharedWindows | undefined;
  private readonly statusListeners = new Set<(s: RedisStoreStatus) => void>();
  private closed = false;

  /**
   * Uses `options.client` (a `Redis`, Sentinel-managed or not, or a `Cluster`) for its commands
   * and one `client.duplicate()` for its subscription (subscriber.ts).
   * @throws ConfigError when `client` is not an ioredis client or an option is invalid
   */
  constructor(options: RedisStateStoreOptions) {
    const { client, prefix, leaseTimeoutMs, shareCounts, flushMs } =
      validateRedisStoreOptions(options);
    this.client = client;
    this.keys = new RedisKeys(prefix, client.options?.keyPrefix);
    this.link = new RedisLink(client, leaseTimeoutMs, {
      up: (wasDown) => this.reachable(wasDown),
      down: (error) => this.unreachable(error),
    });
    if (shareCounts)
      this.windows = new SharedWindows(client, this.keys, flushMs, () => this.link.up);
    // Transitions published while unsubscribed were missed: re-read every circuit.
    this.subscriber = subscribe(
      client,
      this.keys.channel,
      (message) => this.received(message),
      () => this.reconcileAll(),
    );
  }

  /**
   * Calls `listener` when Redis becomes unusable (`degraded`: down, paused, slower than
   * `leaseTimeoutMs`, or refusing the store's commands) and when it is usable again. Until its
   * client first reaches Redis the store runs locally; it reports `degraded` (once) when a
   * connection attempt fails first, and `connected` when one succeeds.
   */
  onStatus(listener: (s: RedisStoreStatus) => void): Disposable {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  /** Whether the store uses Redis right now (false: circuits run locally). */
  get connected(): boolean {
    return this.link.up;
  }

  attach(name: string, circuit: SyncedCircuit, clock: Clock): CircuitSync {
    const member: Member = { circuit, clock };
    let set = this.members.get(name);
    if (!set) this.members.set(name, (set = new Set()));
    set.add(member);
    this.reconcile(name, member);
    const windows = this.windows;
    let counts: SharedCounts | undefined;
    const sync: CircuitSync = {
      publish: (next) => this.publish(name, member, next),
      leaseProbes: (generation, wanted, ttlMs, grant) =>
        this.lease(name, generation, wanted, ttlMs, grant),
      detach: () => {
        set.delete(member);
        if (set.size === 0 && this.members.get(name) === set) this.members.delete(name);
        if (counts) windows?.remove(counts);
      },
    };
    if (windows) {
      sync.shareCounts = (windowMs, changed) => {
        if (counts) windows.remove(counts);
        return (counts = windows.add(name, windowMs, circuit, changed));
      };
    }
    return sync;
  }

  /** Stops sharing: closes the store's own subscriber connection (not the client you passed). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.members.clear();
    this.windows?.stop();
    this.link.close();
    this.subscriber.close();
  }

  private isMember(name: string, member: Member): boolean {
    return this.members.get(name)?.has(member) ?? false;
  }

  private publish(name: string, member: Member, next: SharedCircuitState): void {
    const s = toStored(next, member.clock);
    const key = this.keys.state(name);
    const message = encodeTransition(name, this.origin, s);
    const settle = (reply: unknown) => {
      const stored = Array.isArray(reply) ? parseStored(reply) : undefined;
      if (stored) return this.adoptAll(name, stored); // a newer (or rival) state won
      if (reply !== null) return; // failed or timed out: reconciled when Redis is back
      // Stored: members of this store skip their own channel messages, so tell them here.
      for (const m of this.members.get(name) ?? []) if (m !== member) deliver(m, s);
    };
    // Not sent while Redis is unusable: the circuit's state is published on reconciliation.
    this.link.send(
      () => this.client.eval(CAS_SCRIPT, 1, key, ...storedFields(s), this.keys.channel, message),
      settle,
      settle,
    );
  }

  private lease(
    name: string,
    generation: number,
    wanted: number,
    ttlMs: number,
    grant: (n: number) => void,
  ): void {
    const slots = Array.from({ length: wanted }, (_, i) => this.keys.lease(name, generation, i));
    const ttl = Math.max(1, Math.round(ttlMs));
    // Unanswered in time, failed, or Redis unusable: run locally rather than keep it waiting.
    const sent = this.link.send(
      () => this.client.eval(LEASE_SCRIPT, slots.length, ...slots, ttl, this.origin),
      (n) => grant(n === undefined ? wanted : Number(n) || 0),
    );
    if (!sent) grant(wanted);
  }

  /** Brings one member and the store to the newer of their two states. */
  private reconcile(name: string, member: Member): void {
    this.link.send(
      () => this.client.hmget(this.keys.state(name), 'g', 's', 'u', 'o'),
      (fields) => {
        if (!fields || !this.isMember(name, member)) return;
        const stored = parseStored(fields);
        const local = member.circuit.sharedState();
        if (stored && stored.generation >= local.generation) {
          deliver(member, stored);
        } else if (local.generation > 0) {
          this.publish(name, member, local);
        }
      },
    );
  }

  private reconcileAll(): void {
    if (this.closed) return;
    for (const [name, set] of this.members) for (const m of set) this.reconcile(name, m);
  }

  private received(message: string): void {
    const m = decodeTransition(message);
    if (m && m.origin !== this.origin) this.adoptAll(m.name, m.state);
  }

  private adoptAll(name: string, s: StoredState): void {
    for (const member of this.members.get(name) ?? []) deliver(member, s);
  }

  private reachable(wasDown: boolean): void {
    if (this.closed) return;
    if (wasDown) this.emit({ status: 'connected' });
    this.reconcileAll();
  }

  private unreachable(error: unknown): void {
    if (this.closed) return;
    this.windows?.forgetAll();
    this.emit(error === undefined ? { status: 'degraded' } : { status: 'degraded', error });
  }

  private emit(s: RedisStoreStatus): void {
    for (const l of this.statusListeners) {
      try {
        l(s);
      } catch {
        // a listener's bug must not break the store
      }
    }
  }
}
