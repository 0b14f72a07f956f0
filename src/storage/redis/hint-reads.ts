/**
 * Re-reads of circuit hashes prompted by channel messages, coalesced.
 *
 * A message on the channel is only a hint that a circuit's hash changed: anybody who may PUBLISH
 * can send one, so its content is never adopted. The store re-reads the hash instead, which only
 * the compare-and-set script writes. To keep a flood of messages from becoming a flood of reads,
 * hints are collected in a set (one entry per circuit, however many messages name it) and read
 * in rounds: at most one round in flight per store, rounds at least `MIN_GAP_MS` apart. So a
 * store sends at most one read per attached circuit per round, whatever arrives on the channel.
 * The first hint after a quiet spell is read at once; hints arriving while a round is in flight
 * are read together when it is answered.
 */

/** Least time between the starts of two rounds of reads, ms. */
const MIN_GAP_MS = 10;

/** Reads one circuit's hash and delivers it; calls `done` when answered (or not sent). */
export type ReadOne = (name: string, done: () => void) => void;

/** Coalesces hints into rounds of reads (see above). One pending timer per store at most. */
export class HintReads {
  private readonly pending = new Set<string>();
  private inFlight = 0;
  private scheduled = false;
  private lastRoundAt = -Infinity;
  private stopped = false;

  /**
   * @param read reads and delivers one circuit's stored state
   * @param wanted whether a circuit is attached here (hints for others are dropped)
   */
  constructor(
    private readonly read: ReadOne,
    private readonly wanted: (name: string) => boolean,
  ) {}

  /** Notes that circuit `name` may have changed. */
  hint(name: string): void {
    if (this.stopped || !this.wanted(name)) return;
    this.pending.add(name);
    this.schedule();
  }

  /** Forgets pending hints (the store is about to re-read everything anyway, or is closing). */
  clear(): void {
    this.pending.clear();
  }

  /** Stops for good (the store is closing). */
  stop(): void {
    this.stopped = true;
    this.pending.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight > 0 || this.pending.size === 0 || this.stopped) return;
    const wait = this.lastRoundAt + MIN_GAP_MS - performance.now();
    if (wait <= 0) return this.round();
    this.scheduled = true;
    setTimeout(() => this.round(), wait).unref?.();
  }

  private round(): void {
    this.scheduled = false;
    if (this.stopped) return;
    this.lastRoundAt = performance.now();
    const names = Array.from(this.pending);
    this.pending.clear();
    this.inFlight = names.length;
    const done = () => {
      if (--this.inFlight === 0) this.schedule();
    };
    for (const name of names) {
      try {
        this.read(name, done);
      } catch {
        done(); // a read that cannot be sent counts as answered
      }
    }
  }
}
