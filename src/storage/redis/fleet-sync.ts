/**
 * The Redis store's traffic for its attached circuits: transitions written by compare-and-set
 * (or, under a quorum, a member's trip cast as a vote), probe leases, and the reads that bring
 * members to the stored state — on attach, on reconnect (reconcile) and on a channel hint.
 * Every state a member adopts comes from the circuit's hash, through `parseStored`'s checks.
 */
import type { RedisClient } from './options.js';
import type { SharedCircuitState } from '../../core/circuit-sync.js';
import { toStored, type StoredState } from '../state-store.js';
import type { RedisKeys } from './keys.js';
import { deliver, type Member } from './member.js';
import type { Quorum } from './quorum.js';
import type { RedisLink } from './redis-link.js';
import { CAS_SCRIPT, LEASE_SCRIPT } from './scripts.js';
import { encodeTransition, parseGranted, parseStored, parseVote, storedFields } from './wire.js';

/** The attached circuits of one store, by name, and what the store sends for them. */
export class FleetSync {
  /** Attached members by circuit name (several registries may share one store). */
  readonly members = new Map<string, Set<Member>>();
  closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly link: RedisLink,
    private readonly origin: string,
    private readonly quorum: Quorum | undefined,
  ) {}

  /** A transition of `member`'s circuit: to the fleet, or (quorum) kept local with a vote. */
  publish(name: string, member: Member, next: SharedCircuitState): void {
    if (this.quorum?.takeLocal(member, next)) {
      if (next.state === 'open') this.vote(name, member, next);
      return;
    }
    member.state = next.state;
    member.local = false;
    member.fleetGen = next.generation - member.offset;
    this.write(name, member, { ...next, generation: member.fleetGen });
  }

  /** Writes a fleet state of `member` by compare-and-set (its generation is the fleet's). */
  write(name: string, member: Member, next: SharedCircuitState): void {
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

  /** Probe slots for `member`'s half-open circuit: fleet-wide, or all local in a local episode. */
  lease(
    name: string,
    member: Member,
    generation: number,
    wanted: number,
    ttlMs: number,
    grant: (n: number) => void,
  ): void {
    if (member.local) return grant(wanted); // the fleet is not probing: the member alone is
    const fleetGen = generation - member.offset;
    const slots = Array.from({ length: wanted }, (_, i) => this.keys.lease(name, fleetGen, i));
    const ttl = Math.max(1, Math.round(ttlMs));
    // Unanswered in time, failed, or Redis unusable: run locally rather than keep it waiting.
    const sent = this.link.send(
      () => this.client.eval(LEASE_SCRIPT, slots.length, ...slots, ttl, this.origin),
      (n) => grant(n === undefined ? wanted : parseGranted(n, wanted)),
    );
    if (!sent) grant(wanted);
  }

  /** Brings one member and the store to the newer of their two states. */
  reconcile(name: string, member: Member): void {
    this.link.send(
      () => this.client.hmget(this.keys.state(name), 'g', 's', 'u', 'o'),
      (fields) => {
        if (!fields || !this.isMember(name, member)) return;
        const stored = parseStored(fields);
        if (stored && stored.generation >= member.fleetGen) {
          deliver(member, stored);
        } else if (!member.local && member.fleetGen > 0) {
          // Redis lost the state, or holds an older or malformed one: write the member's.
          const local = member.circuit.sharedState();
          this.write(name, member, { ...local, generation: member.fleetGen });
        }
      },
    );
  }

  /** Reconciles every attached member. */
  reconcileAll(): void {
    if (this.closed) return;
    for (const [name, set] of this.members) for (const m of set) this.reconcile(name, m);
  }

  /** Reads circuit `name`'s hash and hands the stored state to its members (a hint's read). */
  read(name: string, done: () => void): void {
    const sent = this.link.send(
      () => this.client.hmget(this.keys.state(name), 'g', 's', 'u', 'o'),
      (fields) => {
        done();
        const stored = fields ? parseStored(fields) : undefined;
        if (stored && !this.closed) this.adoptAll(name, stored);
      },
    );
    if (!sent) done(); // Redis unusable: every circuit is re-read when it is back
  }

  /** Casts `member`'s trip (quorum) and takes the outcome: still local, fleet opened, or adopt. */
  private vote(name: string, member: Member, next: SharedCircuitState): void {
    const s = toStored(next, member.clock);
    this.quorum!.vote(name, s, encodeTransition(name, this.origin, s), (reply) => {
      const outcome = parseVote(reply);
      if (!outcome || this.closed) return;
      if (outcome.stored) return this.adoptAll(name, outcome.stored);
      if (outcome.opened === undefined) return; // not enough votes yet: the member stays open alone
      const fleet: StoredState = { ...s, generation: outcome.opened };
      const circuit = member.circuit.sharedState();
      if (member.local && circuit.generation === next.generation) {
        // The member's own open period became the fleet's: it is in step again.
        member.fleetGen = fleet.generation;
        member.offset = circuit.generation - fleet.generation;
        member.local = false;
      }
      this.adoptAll(name, fleet);
    });
  }

  private isMember(name: string, member: Member): boolean {
    return this.members.get(name)?.has(member) ?? false;
  }

  private adoptAll(name: string, s: StoredState): void {
    for (const member of this.members.get(name) ?? []) deliver(member, s);
  }
}
