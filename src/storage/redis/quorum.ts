/**
 * `sharing: { quorum }`: a member's trip opens only that member; the fleet opens when enough
 * members agree.
 *
 * Membership: every store announces itself in `<prefix>members`, a sorted set scored by wall
 * time, every `activeMs / 3` (one unref'd timer per store, none per circuit); the announce
 * script drops members silent for `2/3 × activeMs` (one missed announcement is tolerated) and
 * returns how many are active. A member that joins counts at once in its own count and in the
 * others' at their next announcement; one that stops or is killed is dropped 2/3 × activeMs
 * after its last announcement at most, and the others see it at their next one: the base
 * follows joins and departures within `activeMs`.
 *
 * Votes: a member whose closed circuit trips keeps the open to itself (a "local episode", see
 * member.ts) and casts a vote: the vote script scores the member in the circuit's
 * `<prefix>q:{<name>}` set and drops votes older than `windowMs`. When the votes reach
 * max(minMembers, ⌈share × active⌉) and the fleet's stored state is closed, the same script
 * stores the fleet open (generation + 1, the voter's open period), clears the votes and
 * announces it: every member re-reads the hash and opens. Each re-open after a failed local
 * probe votes again, so a member that keeps failing keeps its vote fresh.
 *
 * A local episode probes alone (its half-open is not the fleet's) and ends when the member
 * closes again; a fleet open (by quorum, a probe failure of a fleet half-open, or an operator)
 * replaces it. While Redis is unusable, trips stay local and nothing is voted.
 */
import type { RedisClient } from './options.js';
import type { SharedCircuitState } from '../../core/circuit-sync.js';
import type { StoredState } from '../state-store.js';
import type { RedisKeys } from './keys.js';
import type { Member } from './member.js';
import { ANNOUNCE_SCRIPT, VOTE_SCRIPT } from './quorum-scripts.js';
import type { RedisLink } from './redis-link.js';
import type { QuorumPolicy } from './sharing-options.js';
import { parseMemberCount } from './wire.js';

/** The quorum side of one store: its announcements, and the votes of its circuits. */
export class Quorum {
  /** Active members as last counted (this one at least). */
  private active = 1;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly link: RedisLink,
    private readonly origin: string,
    readonly policy: QuorumPolicy,
  ) {
    this.timer = setInterval(() => this.announce(), policy.activeMs / 3);
    this.timer.unref?.();
  }

  /** Votes that open the fleet now: max(minMembers, ⌈share × active members⌉). */
  get needed(): number {
    return Math.max(this.policy.minMembers, Math.ceil(this.policy.share * this.active));
  }

  /** Active members as last counted. */
  get activeMembers(): number {
    return this.active;
  }

  /** Announces this member (also done when Redis becomes usable). */
  announce(): void {
    const ttl = Math.max(1, Math.round((this.policy.activeMs * 2) / 3));
    this.link.send(
      () => this.client.eval(ANNOUNCE_SCRIPT, 1, this.keys.members, Date.now(), this.origin, ttl),
      (reply) => {
        const n = parseMemberCount(reply);
        if (n !== undefined) this.active = n;
      },
    );
  }

  /**
   * Whether transition `next` of `member`'s circuit stays with the member: a trip from closed,
   * or any step of its local episode (until it closes). Operator states (forced-open, disabled)
   * always go to the fleet. Updates the member's bookkeeping when it stays.
   */
  takeLocal(member: Member, next: SharedCircuitState): boolean {
    if (next.state === 'forced-open' || next.state === 'disabled') return false;
    const trip = next.state === 'open' && member.state === 'closed';
    if (!member.local && !trip) return false;
    member.offset++;
    member.state = next.state;
    member.local = next.state !== 'closed';
    return true;
  }

  /** Casts a trip of circuit `name` (open period in `s`); `outcome` gets the script's reply. */
  vote(name: string, s: StoredState, message: string, outcome: (reply: unknown) => void): void {
    const window = Math.max(1, Math.round(this.policy.windowMs));
    this.link.send(
      () =>
        this.client.eval(
          VOTE_SCRIPT,
          2,
          this.keys.votes(name),
          this.keys.state(name),
          Date.now(),
          this.origin,
          window,
          this.needed,
          s.openUntilWall ?? '',
          s.consecutiveOpens,
          this.keys.channel,
          message,
        ),
      (reply) => {
        if (reply !== undefined) outcome(reply);
      },
      outcome, // late, but it may have opened the fleet: this member hears of it only here
    );
  }

  /** Stops announcing and leaves the member set at once (best effort). */
  stop(): void {
    clearInterval(this.timer);
    if (this.client.status === 'ready')
      this.client.zrem(this.keys.members, this.origin).catch(() => {});
  }
}
