/**
 * Failure-rate windows shared by a fleet through Redis (`shareCounts: true`).
 *
 * A call only bumps three local counters (`record`, O(1), no I/O). One timer per store, unref'd,
 * flushes every `flushMs`: for each circuit that counted calls since the last flush, one Lua
 * script (see WINDOW_SCRIPT), one command per circuit sent together, adds the counts to the bucket of the
 * current wall-clock second, `<prefix>w:{<name>}:<generation>:<epochSecond>` (a hash c/f/s that
 * expires a little after the window; every bucket key is passed to the script, all in the
 * circuit's hash slot, so it runs on Redis Cluster), and sums the buckets of the window's last
 * ceil(windowMs / 1000) seconds. Those fleet totals are cached; `totals()` is the cache plus
 * what this process sent or counted since (so its own calls are never missing nor counted twice).
 * The window is therefore accurate to about a second plus `flushMs`.
 *
 * Buckets are per generation: every member of the fleet shares the circuit's generation, so a
 * circuit that closes again starts from empty buckets instead of the failures that opened it.
 *
 * When the fleet totals are unknown — Redis down, a flush unanswered for `STALE_TICKS` periods
 * (Redis paused or slow), nothing read yet since the last state change — `totals()` returns
 * undefined and the circuit judges its local window, which counts all along. Counts made while
 * Redis does not answer stay local: they are dropped rather than written late as if they were new.
 */
import type { SharedCounts, SyncedCircuit } from '../../core/circuit-sync.js';
import type { WindowTotals } from '../../core/windows/rate-window.js';
import type { RedisKeys } from './keys.js';
import type { RedisClient } from './options.js';
import { WINDOW_SCRIPT } from './scripts.js';
import { timerDelayMs } from '../../core/timer-delay.js';
import { parseWindowSums } from './wire.js';

/** Fleet totals not refreshed for this many flush periods are no longer trusted. */
const STALE_TICKS = 3;

/** One attached circuit's counts: pending (unsent), sent (unanswered) and the fleet's. */
class CircuitCounts implements SharedCounts {
  pendingCalls = 0;
  pendingFailures = 0;
  pendingSlow = 0;
  sentCalls = 0;
  sentFailures = 0;
  sentSlow = 0;
  /** Increases on every reset, so an answer to a flush from before it is dropped. */
  epoch = 0;
  /** The flush tick of the last fleet totals read; -1 when they are unknown. */
  readTick = -1;
  generation: number;
  private readonly fleet: WindowTotals = { calls: 0, failures: 0, slow: 0 };
  private readonly out: WindowTotals = { calls: 0, failures: 0, slow: 0 };

  constructor(
    /** `<prefix>w:{<encoded name>}:`, the generation and second follow. */
    readonly keyBase: string,
    /** Seconds of buckets the window spans. */
    readonly buckets: number,
    private readonly circuit: SyncedCircuit,
    private readonly changed: () => void,
  ) {
    this.generation = circuit.sharedState().generation;
  }

  record(failure: boolean, slow: boolean): void {
    this.pendingCalls++;
    if (failure) this.pendingFailures++;
    if (slow) this.pendingSlow++;
  }

  totals(): WindowTotals | undefined {
    if (this.readTick < 0) return undefined;
    const o = this.out;
    o.calls = this.fleet.calls + this.sentCalls + this.pendingCalls;
    o.failures = this.fleet.failures + this.sentFailures + this.pendingFailures;
    o.slow = this.fleet.slow + this.sentSlow + this.pendingSlow;
    return o;
  }

  reset(): void {
    this.forget();
    this.epoch++;
    this.generation = this.circuit.sharedState().generation;
  }

  /** Moves the pending counts to "sent"; returns them as script arguments. */
  take(): [number, number, number] {
    const sent: [number, number, number] = [
      this.pendingCalls,
      this.pendingFailures,
      this.pendingSlow,
    ];
    this.sentCalls += this.pendingCalls;
    this.sentFailures += this.pendingFailures;
    this.sentSlow += this.pendingSlow;
    this.dropPending();
    return sent;
  }

  /** Takes the answer to a flush sent in `epoch`: the fleet totals, or undefined on an error. */
  answered(epoch: number, value: unknown, tick: number): void {
    if (epoch !== this.epoch) return;
    this.sentCalls = this.sentFailures = this.sentSlow = 0;
    const sums = parseWindowSums(value);
    if (!sums) {
      this.readTick = -1;
      return;
    }
    [this.fleet.calls, this.fleet.failures, this.fleet.slow] = sums;
    this.readTick = tick;
    try {
      this.changed();
    } catch {
      // the circuit's listeners must not break the flush of the others
    }
  }

  dropPending(): void {
    this.pendingCalls = this.pendingFailures = this.pendingSlow = 0;
  }

  /** Forgets everything but the key: the circuit counts locally until the next answer. */
  forget(): void {
    this.dropPending();
    this.sentCalls = this.sentFailures = this.sentSlow = 0;
    this.readTick = -1;
  }
}

/** The shared windows of one store, flushed together by one timer. */
export class SharedWindows {
  private readonly entries = new Set<CircuitCounts>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private tick = 0;
  /** Tick at which the flush still unanswered was sent; -1 when none is. */
  private flushingSince = -1;

  /**
   * @param client the store's client
   * @param keys the store's key layout
   * @param flushMs flush period, ms
   * @param ready whether commands may be sent now
   */
  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeys,
    private readonly flushMs: number,
    private readonly ready: () => boolean,
  ) {}

  /** Shares the window of circuit `name` (`windowMs` long); `changed` hears fresh totals. */
  add(name: string, windowMs: number, circuit: SyncedCircuit, changed: () => void): SharedCounts {
    const buckets = Math.max(1, Math.ceil(windowMs / 1000));
    const counts = new CircuitCounts(this.keys.windowBase(name), buckets, circuit, changed);
    this.entries.add(counts);
    if (!this.timer) {
      this.timer = setInterval(() => this.flush(), timerDelayMs(this.flushMs));
      this.timer.unref?.();
    }
    return counts;
  }

  /** Stops sharing one circuit's window. */
  remove(counts: SharedCounts): void {
    this.entries.delete(counts as CircuitCounts);
    if (this.entries.size === 0) this.stop();
  }

  /** Redis became unreachable: every circuit counts locally. */
  forgetAll(): void {
    for (const e of this.entries) e.forget();
  }

  /** Stops the timer (the store is closing). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    const tick = ++this.tick;
    if (!this.ready()) return this.forgetAll();
    // Totals not refreshed lately are unknown (their pending counts are still flushed below).
    for (const e of this.entries) if (tick - e.readTick > STALE_TICKS) e.readTick = -1;
    if (this.flushingSince >= 0) {
      // The last flush is unanswered (Redis slow or paused): keep counting locally.
      if (tick - this.flushingSince >= STALE_TICKS) for (const e of this.entries) e.dropPending();
      return;
    }
    const second = Math.floor(Date.now() / 1000);
    const batch: Array<{ entry: CircuitCounts; epoch: number; reply: Promise<unknown> }> = [];
    for (const e of this.entries) {
      if (e.pendingCalls === 0) continue; // idle: its totals age out; a call brings it back
      const [c, f, s] = e.take();
      const ttlMs = e.buckets * 1000 + this.flushMs + 1000;
      const keys = Array.from(
        { length: e.buckets },
        (_, i) => `${e.keyBase}${e.generation}:${second - e.buckets + 1 + i}`,
      );
      // One command per circuit, not a pipeline: on a Cluster the circuits' slots are spread
      // over the masters, and ioredis sends the commands of one tick together anyway.
      const reply = this.client.eval(WINDOW_SCRIPT, keys.length, ...keys, ttlMs, c, f, s);
      batch.push({ entry: e, epoch: e.epoch, reply });
    }
    if (batch.length === 0) return;
    this.flushingSince = tick;
    const settled = batch.map(({ entry, epoch, reply }) =>
      reply.then(
        (value) => () => entry.answered(epoch, value, this.tick),
        () => () => entry.answered(epoch, undefined, this.tick),
      ),
    );
    void Promise.all(settled).then((answers) => {
      this.flushingSince = -1;
      for (const answer of answers) answer();
    });
  }
}
