/**
 * `RedisStateStore`: circuits shared by every process that uses the same Redis and prefix.
 *
 * Layout, under `prefix` (default `rpc-breaker:`), with each circuit name base64url-encoded so no
 * name can reach another's key (and in a `{…}` hash tag, so a circuit's keys share a cluster slot):
 * - `<prefix>c:{<name>}`: a hash of the shared state — g (generation), s (state), u (open until,
 *   wall-clock ms), o (consecutive opens);
 * - `<prefix>lease:{<name>}:<generation>:<slot>`: half-open probe slots, `SET NX PX`;
 * - channel `<prefix>events`: every stored transition, so members adopt it at once;
 * - with `shareCounts`, `<prefix>w:{<name>}:<generation>:<epochSecond>`: the fleet's window
 *   counts, per second (see shared-windows.ts).
 *
 * A transition is written by a Lua compare-and-set on the generation (see scripts.ts): two
 * processes tripping at once make one open period, the later one adopting the first's state.
 *
 * Calls never wait on Redis. Writes are fire-and-forget; a probe lease that Redis does not answer
 * within `leaseTimeoutMs` (or at all, while it is down) is granted locally; commands are only sent
 * while the client is `ready`, so nothing piles up in ioredis's offline queue. When Redis comes
 * back, every attached circuit is reconciled: the newer generation wins, in either direction.
 * Wall clocks of the members are assumed to agree (NTP); open periods are stored in wall time.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../../core/clock.js';
import type {
  CircuitSync,
  SharedCircuitState,
  SharedCounts,
  StateStore,
  SyncedCircuit,
} from '../../core/circuit-sync.js';
import type { CircuitState, Disposable } from '../../core/types.js';
import { toShared, toStored, toWallTime, type StoredState } from '../state-store.js';
import { CAS_SCRIPT, LEASE_SCRIPT } from './scripts.js';
import { validateRedisStoreOptions, type RedisStateStoreOptions } from './options.js';
import { SharedWindows } from './shared-windows.js';

/** Whether the store currently reaches Redis. */
export interface RedisStoreStatus {
  status: 'connected' | 'degraded';
  /** The error that made it degraded, if one was reported. */
  error?: unknown;
}

interface Member {
  circuit: SyncedCircuit;
  clock: Clock;
}

const STATES: ReadonlySet<string> = new Set([
  'closed',
  'open',
  'half-open',
  'forced-open',
  'disabled',
]);

export class RedisStateStore implements StateStore {
  private readonly client: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly leaseTimeoutMs: number;
  private readonly origin = randomUUID();
  private readonly members = new Map<string, Set<Member>>();
  private readonly windows: SharedWindows | undefined;
  private readonly statusListeners = new Set<(s: RedisStoreStatus) => void>();
  private degraded = false;
  private closed = false;
  private readonly onReady = () => this.reconnected();
  private readonly onDown = (error?: unknown) => this.setDegraded(error);

  /** @throws ConfigError when `client` is not an ioredis client or an option is invalid */
  constructor(options: RedisStateStoreOptions) {
    const { client, prefix, leaseTimeoutMs, shareCounts, flushMs } =
      validateRedisStoreOptions(options);
    this.client = client;
    this.prefix = prefix;
    if (shareCounts) this.windows = new SharedWindows(client, prefix, flushMs, () => this.ready);
    this.channel = `${prefix}events`;
    this.leaseTimeoutMs = leaseTimeoutMs;
    this.subscriber = client.duplicate();
    this.subscriber.on('error', () => {}); // reported through the main client's status
    this.subscriber.on('message', (channel: string, message: string) =>
      this.received(channel, message),
    );
    // ioredis re-subscribes by itself after a reconnect.
    void this.subscriber.subscribe(this.channel).catch((error: unknown) => this.setDegraded(error));
    client.on('ready', this.onReady);
    client.on('error', this.onDown);
    client.on('close', this.onDown);
    if (client.status !== 'ready') this.degraded = true;
  }

  /** Calls `listener` when Redis becomes unreachable (`degraded`) or reachable again. */
  onStatus(listener: (s: RedisStoreStatus) => void): Disposable {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  /** Whether Redis is reachable right now. */
  get connected(): boolean {
    return !this.degraded && this.client.status === 'ready';
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
        if (set.size === 0) this.members.delete(name);
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
    this.client.off('ready', this.onReady);
    this.client.off('error', this.onDown);
    this.client.off('close', this.onDown);
    this.subscriber.disconnect();
  }

  private key(name: string): string {
    return `${this.prefix}c:{${Buffer.from(name, 'utf8').toString('base64url')}}`;
  }

  private get ready(): boolean {
    return !this.closed && this.client.status === 'ready';
  }

  private publish(name: string, member: Member, next: SharedCircuitState): void {
    if (!this.ready) return; // reconciled when Redis is back
    const wall = toWallTime(next.openUntil, member.clock);
    const message = JSON.stringify({
      n: name,
      o: this.origin,
      g: next.generation,
      s: next.state,
      u: wall,
      c: next.consecutiveOpens,
    });
    this.client
      .eval(
        CAS_SCRIPT,
        1,
        this.key(name),
        next.generation,
        next.state,
        wall ?? '',
        next.consecutiveOpens,
        this.channel,
        message,
      )
      .then((stored) => {
        const s = Array.isArray(stored) ? parseStored(stored as unknown[]) : undefined;
        if (s) return this.adoptAll(name, s);
        // Stored: members of this store skip their own channel messages, so tell them here.
        for (const m of this.members.get(name) ?? [])
          if (m !== member) m.circuit.adopt(toShared(toStored(next, member.clock), m.clock));
      })
      .catch((error: unknown) => this.setDegraded(error));
  }

  private lease(
    name: string,
    generation: number,
    wanted: number,
    ttlMs: number,
    grant: (n: number) => void,
  ): void {
    if (!this.ready) return grant(wanted);
    let answered = false;
    const answer = (n: number) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      grant(n);
    };
    // Redis too slow: run locally rather than keep the circuit waiting.
    const timer = setTimeout(() => answer(wanted), this.leaseTimeoutMs);
    timer.unref?.();
    const key = `${this.prefix}lease:{${Buffer.from(name, 'utf8').toString('base64url')}}:${generation}`;
    this.client
      .eval(LEASE_SCRIPT, 1, key, Math.max(1, Math.round(ttlMs)), wanted, this.origin)
      .then((n) => answer(Number(n)))
      .catch(() => answer(wanted));
  }

  /** Brings one member and the store to the newer of their two states. */
  private reconcile(name: string, member: Member): void {
    if (!this.ready) return;
    this.client
      .hmget(this.key(name), 'g', 's', 'u', 'o')
      .then((fields) => {
        const stored = parseStored(fields);
        const local = member.circuit.sharedState();
        if (stored && stored.generation >= local.generation) {
          member.circuit.adopt(toShared(stored, member.clock));
        } else if (local.generation > 0) {
          this.publish(name, member, local);
        }
      })
      .catch((error: unknown) => this.setDegraded(error));
  }

  private received(channel: string, message: string): void {
    if (channel !== this.channel) return;
    let m: { n?: unknown; o?: unknown; g?: unknown; s?: unknown; u?: unknown; c?: unknown };
    try {
      m = JSON.parse(message);
    } catch {
      return;
    }
    if (m.o === this.origin || typeof m.n !== 'string') return;
    const s = parseStored([m.g, m.s, m.u, m.c]);
    if (s) this.adoptAll(m.n, s);
  }

  private adoptAll(name: string, s: StoredState): void {
    for (const member of this.members.get(name) ?? [])
      member.circuit.adopt(toShared(s, member.clock));
  }

  private reconnected(): void {
    if (this.closed) return;
    if (this.degraded) {
      this.degraded = false;
      this.emit({ status: 'connected' });
    }
    for (const [name, set] of this.members) for (const m of set) this.reconcile(name, m);
  }

  private setDegraded(error?: unknown): void {
    if (this.closed || this.degraded) return;
    this.degraded = true;
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

function parseStored(fields: unknown[]): StoredState | undefined {
  const [g, s, u, o] = fields;
  const generation = Number(g);
  if (
    g === null ||
    g === undefined ||
    !Number.isFinite(generation) ||
    typeof s !== 'string' ||
    !STATES.has(s)
  )
    return undefined;
  const wall = u === '' || u === null || u === undefined ? null : Number(u);
  return {
    generation,
    state: s as CircuitState,
    openUntilWall: wall !== null && Number.isFinite(wall) ? wall : null,
    consecutiveOpens: Number(o) || 0,
  };
}
