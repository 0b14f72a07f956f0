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
 *
 * The channel carries hints only (hint-reads.ts): members adopt what the hash holds, never what
 * a message says. With `sharing: { quorum }` a member's trip stays its own until enough members
 * agree (quorum.ts). The traffic per circuit lives in fleet-sync.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type {
  CircuitSync,
  SharedCounts,
  StateStore,
  SyncedCircuit,
} from '../../core/circuit-sync.js';
import { FleetSync } from './fleet-sync.js';
import { HintReads } from './hint-reads.js';
import { RedisKeys } from './keys.js';
import { newMember } from './member.js';
import {
  validateRedisStoreOptions,
  type RedisClient,
  type RedisStateStoreOptions,
} from './options.js';
import { Quorum } from './quorum.js';
import { RedisLink } from './redis-link.js';
import { SharedWindows } from './shared-windows.js';
import { subscribe, type Subscription } from './subscriber.js';
import { decodeHint } from './wire.js';
import { ASYNC_DISPOSE, disposableHandle, type DisposableHandle } from '../../core/disposable.js';

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
  private readonly fleet: FleetSync;
  private readonly quorum: Quorum | undefined;
  private readonly windows: SharedWindows | undefined;
  private readonly statusListeners = new Set<(s: RedisStoreStatus) => void>();
  private readonly hints: HintReads;
  private closed = false;

  /**
   * Uses `options.client` (a `Redis`, Sentinel-managed or not, or a `Cluster`) for its commands
   * and one `client.duplicate()` for its subscription (subscriber.ts).
   * @throws ConfigError when `client` is not an ioredis client or an option is invalid
   */
  constructor(options: RedisStateStoreOptions) {
    const { client, prefix, leaseTimeoutMs, shareCounts, flushMs, quorum } =
      validateRedisStoreOptions(options);
    this.client = client;
    this.keys = new RedisKeys(prefix, client.options?.keyPrefix);
    this.link = new RedisLink(client, leaseTimeoutMs, {
      up: (wasDown) => this.reachable(wasDown),
      down: (error) => this.unreachable(error),
    });
    if (quorum) this.quorum = new Quorum(client, this.keys, this.link, this.origin, quorum);
    this.fleet = new FleetSync(client, this.keys, this.link, this.origin, this.quorum);
    this.hints = new HintReads(
      (name, done) => this.fleet.read(name, done),
      (name) => this.fleet.members.has(name),
    );
    this.quorum?.announce();
    if (shareCounts)
      this.windows = new SharedWindows(client, this.keys, flushMs, () => this.link.up);
    // Transitions published while unsubscribed were missed: re-read every circuit.
    this.subscriber = subscribe(
      client,
      this.keys.channel,
      (message) => {
        try {
          this.received(message);
        } catch {
          // nothing sent on the channel may break the subscriber
        }
      },
      () => this.reconcileAll(),
    );
  }

  /**
   * Calls `listener` when Redis becomes unusable (`degraded`: down, paused, slower than
   * `leaseTimeoutMs`, or refusing the store's commands) and when it is usable again. Until its
   * client first reaches Redis the store runs locally; it reports `degraded` (once) when a
   * connection attempt fails first, and `connected` when one succeeds.
   */
  onStatus(listener: (s: RedisStoreStatus) => void): DisposableHandle {
    this.statusListeners.add(listener);
    return disposableHandle(() => this.statusListeners.delete(listener));
  }

  /** Whether the store uses Redis right now (false: circuits run locally). */
  get connected(): boolean {
    return this.link.up;
  }

  attach(name: string, circuit: SyncedCircuit, clock: Clock): CircuitSync {
    const member = newMember(circuit, clock);
    const fleet = this.fleet;
    let set = fleet.members.get(name);
    if (!set) fleet.members.set(name, (set = new Set()));
    set.add(member);
    fleet.reconcile(name, member);
    const windows = this.windows;
    let counts: SharedCounts | undefined;
    const sync: CircuitSync = {
      publish: (next) => fleet.publish(name, member, next),
      leaseProbes: (generation, wanted, ttlMs, grant) =>
        fleet.lease(name, member, generation, wanted, ttlMs, grant),
      detach: () => {
        set.delete(member);
        if (set.size === 0 && fleet.members.get(name) === set) fleet.members.delete(name);
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
    this.fleet.closed = true;
    this.fleet.members.clear();
    this.hints.stop();
    this.quorum?.stop();
    this.windows?.stop();
    this.link.close();
    this.subscriber.close();
  }

  /** `close()`, for `await using`. */
  [ASYNC_DISPOSE](): Promise<void> {
    return this.close();
  }

  private reconcileAll(): void {
    this.hints.clear();
    this.fleet.reconcileAll();
  }

  /** A message on the channel: only a hint to re-read the circuit's hash (see hint-reads.ts). */
  private received(message: unknown): void {
    const m = decodeHint(message);
    if (m && m.origin !== this.origin) this.hints.hint(m.name);
  }

  private reachable(wasDown: boolean): void {
    if (this.closed) return;
    if (wasDown) this.emit({ status: 'connected' });
    this.quorum?.announce();
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
