/** CircuitRegistry's operator controls, events, restore over a store, and close(). */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { CircuitSnapshot } from '../../src/core/types.js';
import {
  CircuitRegistry,
  type CallEvent,
  type ControlEvent,
  type FallbackEvent,
  type StateChangeEvent,
} from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';

const TRIP_ONE = { trip: { consecutiveFailures: 1 }, openMs: 100 } as const;

/** A snapshot in which circuit `name` is open with 10 s left. */
function openSnapshot(name: string): CircuitSnapshot[] {
  const registry = new CircuitRegistry({
    clock: new ManualClock(),
    defaults: { trip: { consecutiveFailures: 1 }, openMs: 10_000 },
  });
  registry.get(name).tryAcquire()?.record('failure');
  return registry.snapshot();
}

describe('CircuitRegistry.control', () => {
  it('forces open, disables and resets a circuit, telling onControl listeners', () => {
    const registry = new CircuitRegistry();
    registry.get('a');
    const seen: ControlEvent[] = [];
    registry.onControl((e) => seen.push(e));
    expect(registry.control('a', 'force-open')?.state).toBe('forced-open');
    expect(registry.control('a', 'disable')?.state).toBe('disabled');
    expect(registry.control('a', 'reset')?.state).toBe('closed');
    expect(seen).toStrictEqual([
      { name: 'a', action: 'force-open', state: 'forced-open' },
      { name: 'a', action: 'disable', state: 'disabled' },
      { name: 'a', action: 'reset', state: 'closed' },
    ]);
  });

  it('returns the circuit’s snapshot', () => {
    const registry = new CircuitRegistry();
    registry.get('a');
    const snapshot = registry.control('a', 'force-open');
    expect(snapshot).toEqual(registry.get('a').snapshot());
  });

  it('returns undefined for an unknown name, creating nothing and telling nobody', () => {
    const registry = new CircuitRegistry();
    const seen: ControlEvent[] = [];
    registry.onControl((e) => seen.push(e));
    expect(registry.control('nope', 'force-open')).toBeUndefined();
    expect(registry.size).toBe(0);
    expect(seen).toEqual([]);
  });

  it('rejects an unknown action', () => {
    const registry = new CircuitRegistry();
    registry.get('a');
    expect(() => registry.control('a', 'open' as never)).toThrow(
      'action must be force-open, disable or reset; got "open"',
    );
    expect(registry.get('a').state).toBe('closed');
  });
});

describe('CircuitRegistry events', () => {
  it('gives a state change without a reason no reason field', () => {
    const clock = new ManualClock();
    const registry = new CircuitRegistry({ clock, defaults: TRIP_ONE });
    const seen: StateChangeEvent[] = [];
    registry.onStateChange((e) => seen.push(e));
    registry.get('a').tryAcquire()?.record('failure');
    clock.advance(100);
    expect(registry.get('a').state).toBe('half-open');
    expect(seen[1]).toStrictEqual({ name: 'a', from: 'open', to: 'half-open' });
  });

  it('passes on an error type only when the call had one', () => {
    const registry = new CircuitRegistry({ clock: new ManualClock() });
    const seen: CallEvent[] = [];
    registry.onCall((e) => seen.push(e));
    registry.get('a').tryAcquire()?.record('failure', 3, 'UNAVAILABLE');
    registry.get('a').tryAcquire()?.record('success', 4);
    expect(seen).toStrictEqual([
      { name: 'a', outcome: 'failure', durationMs: 3, slow: false, errorType: 'UNAVAILABLE' },
      { name: 'a', outcome: 'success', durationMs: 4, slow: false },
    ]);
  });

  it('times calls on the registry clock while somebody listens for calls', () => {
    const clock = new ManualClock();
    const registry = new CircuitRegistry({ clock });
    const seen: CallEvent[] = [];
    registry.onCall((e) => seen.push(e));
    const permit = registry.get('a').tryAcquire();
    clock.advance(25);
    permit?.record('success');
    expect(seen.map((e) => e.durationMs)).toEqual([25]);
  });

  it('tells fallback listeners about a circuit it does not hold, without a method field', () => {
    const registry = new CircuitRegistry();
    const seen: FallbackEvent[] = [];
    registry.onFallback((e) => seen.push(e));
    registry.recordFallback('gone', 'value');
    expect(seen).toStrictEqual([{ name: 'gone', kind: 'value' }]);
    expect(registry.size).toBe(0);
  });

  it('returns handles that stop warning and control listeners', () => {
    const registry = new CircuitRegistry();
    registry.get('a');
    const seen: string[] = [];
    registry.onWarning(() => seen.push('warning')).dispose();
    const handle = registry.onControl((e) => seen.push(e.action));
    registry.control('a', 'disable');
    handle.dispose();
    registry.control('a', 'reset');
    expect(seen).toEqual(['disable']);
  });
});

describe('CircuitRegistry.restore with a store', () => {
  it('restores an existing circuit that holds no shared state yet', () => {
    const registry = new CircuitRegistry({ store: new MemoryStateStore() });
    const a = registry.get('a');
    registry.restore(openSnapshot('a'));
    expect(a.state).toBe('open');
  });

  it('leaves an existing circuit that already holds a shared state as it is', () => {
    const registry = new CircuitRegistry({ store: new MemoryStateStore(), defaults: TRIP_ONE });
    const a = registry.get('a');
    a.tryAcquire()?.record('failure');
    a.reset();
    registry.restore(openSnapshot('a'));
    expect(a.state).toBe('closed');
  });
});

describe('CircuitRegistry.close', () => {
  it('resolves without a store', async () => {
    await expect(new CircuitRegistry().close()).resolves.toBeUndefined();
  });

  it('stops sharing state both ways', async () => {
    const store = new MemoryStateStore();
    const a = new CircuitRegistry({ store, defaults: TRIP_ONE });
    const b = new CircuitRegistry({ store, defaults: TRIP_ONE });
    const x = a.get('x');
    const y = a.get('y');
    b.get('y');
    await a.close();
    x.tryAcquire()?.record('failure');
    expect(x.state).toBe('open');
    expect(b.get('x').state).toBe('closed');
    b.get('y').tryAcquire()?.record('failure');
    expect(y.state).toBe('closed');
  });
});
