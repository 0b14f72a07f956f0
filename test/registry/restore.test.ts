import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import type { CircuitSnapshot } from '../../src/core/types.js';
import { CircuitRegistry, type StateChangeEvent } from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';

const TRIP_ONE = { trip: { consecutiveFailures: 1 }, openMs: 10_000 } as const;

/** A registry whose circuit `name` has opened once, and its snapshot taken `ageMs` later. */
function openedSnapshot(name: string, ageMs = 0): CircuitSnapshot[] {
  const clock = new ManualClock();
  const registry = new CircuitRegistry({ clock, defaults: TRIP_ONE });
  registry.get(name).tryAcquire()?.record('failure');
  clock.advance(ageMs);
  return registry.snapshot();
}

/** The snapshot as it comes back from a file written `ms` ago. */
function aged(snapshot: CircuitSnapshot[], ms: number): unknown {
  const parsed = JSON.parse(JSON.stringify(snapshot)) as CircuitSnapshot[];
  return parsed.map((s) => ({ ...s, takenAt: (s.takenAt ?? Date.now()) - ms }));
}

describe('CircuitRegistry.restore', () => {
  it('stamps registry snapshots with the wall-clock time they were taken', () => {
    const before = Date.now();
    const [s] = openedSnapshot('a');
    expect(s?.takenAt).toBeGreaterThanOrEqual(before);
    expect(s?.takenAt).toBeLessThanOrEqual(Date.now());
  });

  it('starts a circuit open for the open time the snapshot had left', () => {
    const snapshot = openedSnapshot('a', 4_000); // 6 s left
    const clock = new ManualClock(50_000);
    const registry = new CircuitRegistry({ clock, defaults: TRIP_ONE });
    registry.restore(snapshot);
    const a = registry.get('a');
    expect(a.state).toBe('open');
    expect(a.snapshot().retryAfterMs).toBeGreaterThan(5_900);
    expect(a.snapshot().retryAfterMs).toBeLessThanOrEqual(6_000);
    expect(a.tryAcquire()).toBeUndefined();
    clock.advance(6_001);
    expect(a.state).toBe('half-open');
  });

  it('keeps the backoff step, counts and trip reason', () => {
    const snapshot = openedSnapshot('a');
    const registry = new CircuitRegistry({ clock: new ManualClock(), defaults: TRIP_ONE });
    registry.restore(snapshot);
    const s = registry.get('a').snapshot();
    expect(s.consecutiveOpens).toBe(1);
    expect(s.counts.failures).toBe(1);
    expect(s.lastTripReason).toBe('consecutive-failures');
  });

  it('ages the open period by the wall-clock time since the snapshot was taken', () => {
    const registry = new CircuitRegistry({ clock: new ManualClock(), defaults: TRIP_ONE });
    registry.restore(aged(openedSnapshot('a'), 7_000) as CircuitSnapshot[]);
    const left = registry.get('a').snapshot().retryAfterMs;
    expect(left).toBeGreaterThan(2_500);
    expect(left).toBeLessThanOrEqual(3_000);
  });

  it('restores a stale open circuit as half-open, never open', () => {
    const registry = new CircuitRegistry({ clock: new ManualClock(), defaults: TRIP_ONE });
    registry.restore(aged(openedSnapshot('a'), 60_000) as CircuitSnapshot[]);
    const a = registry.get('a');
    expect(a.state).toBe('half-open');
    const probe = a.tryAcquire();
    expect(probe).toBeDefined();
    probe?.record('success');
    expect(a.state).toBe('closed');
  });

  it('counts the time a restored entry waits for its circuit', () => {
    const clock = new ManualClock();
    const registry = new CircuitRegistry({ clock, defaults: TRIP_ONE });
    registry.restore(openedSnapshot('a'));
    clock.advance(9_000);
    expect(registry.get('a').snapshot().retryAfterMs).toBeLessThanOrEqual(1_000);
    clock.advance(1_001);
    expect(registry.get('a').state).toBe('half-open');
  });

  it("creates circuits with the method's own policy, not the defaults", () => {
    const registry = new CircuitRegistry({ clock: new ManualClock(), defaults: TRIP_ONE });
    registry.restore(openedSnapshot('a'));
    expect(registry.size).toBe(0);
    const a = registry.get('a', { openMs: 2_000 });
    expect(a.policy.openMs.initialMs).toBe(2_000);
    // …and caps the open time left at what that policy allows
    expect(a.snapshot().retryAfterMs).toBeLessThanOrEqual(2_000);
  });

  it('caps a forged open period at the longest the policy allows', () => {
    const forged = [{ name: 'a', state: 'open', retryAfterMs: 1e12, takenAt: Date.now() + 1e9 }];
    const registry = new CircuitRegistry({ clock: new ManualClock(), defaults: TRIP_ONE });
    registry.restore(forged as unknown as CircuitSnapshot[]);
    expect(registry.get('a').snapshot().retryAfterMs).toBeLessThanOrEqual(10_000);
  });

  it('restores an existing circuit at once and drops its in-flight permits', () => {
    const registry = new CircuitRegistry({ clock: new ManualClock(), defaults: TRIP_ONE });
    const a = registry.get('a');
    const before = a.tryAcquire();
    const changes: StateChangeEvent[] = [];
    registry.onStateChange((e) => changes.push(e));
    registry.restore(openedSnapshot('a'));
    expect(a.state).toBe('open');
    expect(changes).toEqual([{ name: 'a', from: 'closed', to: 'open', reason: 'restored' }]);
    registry.restore([{ ...a.snapshot(), state: 'closed' }]);
    before?.record('failure'); // from before the restores: must not trip the restored circuit
    expect(a.state).toBe('closed');
  });

  it('restores forced-open and disabled circuits as an operator left them', () => {
    const clock = new ManualClock();
    const old = new CircuitRegistry({ clock });
    old.get('f').forceOpen();
    old.get('d').disable();
    const registry = new CircuitRegistry({ clock: new ManualClock(1e6) });
    registry.restore(old.snapshot());
    expect(registry.get('f').state).toBe('forced-open');
    expect(registry.get('d').state).toBe('disabled');
  });

  it('lets a store keep the fleet state over a snapshot', () => {
    const store = new MemoryStateStore();
    const clock = new ManualClock();
    const fleet = new CircuitRegistry({ clock, store, defaults: TRIP_ONE });
    fleet.get('a').tryAcquire()?.record('failure');
    fleet.get('a').reset(); // the fleet has closed it again since
    const late = new CircuitRegistry({ clock, store, defaults: TRIP_ONE });
    late.restore(openedSnapshot('a'));
    expect(late.get('a').state).toBe('closed');
  });

  it('does not publish a restored state to the fleet', () => {
    const store = new MemoryStateStore();
    const clock = new ManualClock();
    const other = new CircuitRegistry({ clock, store, defaults: TRIP_ONE });
    const restoring = new CircuitRegistry({ clock, store, defaults: TRIP_ONE });
    restoring.restore(openedSnapshot('a'));
    expect(restoring.get('a').state).toBe('open');
    expect(other.get('a').state).toBe('closed');
  });

  it('refuses a malformed snapshot with a ConfigError naming the entry, restoring nothing', () => {
    const registry = new CircuitRegistry({ clock: new ManualClock() });
    const good = { name: 'ok', state: 'open', retryAfterMs: 1_000 };
    const cases: Array<[unknown, string]> = [
      [{}, 'snapshot must be an array'],
      [[good, null], 'snapshot[1] must be a circuit snapshot'],
      [[{ ...good, name: '' }], 'snapshot[0].name must be a non-empty string'],
      [[{ ...good, state: 'ajar' }], 'snapshot[0].state must be one of'],
      [[{ ...good, retryAfterMs: NaN }], 'snapshot[0].retryAfterMs must be a finite number'],
      [[{ ...good, takenAt: -1 }], 'snapshot[0].takenAt must be a finite number >= 0'],
      [[{ ...good, consecutiveOpens: 1.5 }], 'snapshot[0].consecutiveOpens must be a safe integer'],
      [[{ ...good, counts: { failures: -1 } }], 'snapshot[0].counts.failures must be a safe'],
      [[{ ...good, lastTripReason: 'boredom' }], 'snapshot[0].lastTripReason must be'],
      [[good, good], 'snapshot[1].name appears twice'],
    ];
    for (const [input, message] of cases) {
      expect(() => registry.restore(input as CircuitSnapshot[])).toThrow(ConfigError);
      expect(() => registry.restore(input as CircuitSnapshot[])).toThrow(message);
    }
    expect(registry.get('ok').state).toBe('closed');
  });
});
