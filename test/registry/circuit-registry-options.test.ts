/** CircuitRegistry's options, `get` arguments, shared policies and eviction bounds. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';

/** An object any read of which throws, as a hostile option would. */
const hostile = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('boom');
      },
    },
  );

describe('CircuitRegistry options', () => {
  it('names an unknown key of the defaults', () => {
    expect(() => new CircuitRegistry({ defaults: { bogus: 1 } as never })).toThrow(
      'defaults.bogus is not a known option; got 1',
    );
  });

  it('rejects a clock without now() and names a clock that cannot be read', () => {
    expect(() => new CircuitRegistry({ clock: {} as never })).toThrow(
      'clock must have a now() method; got {}',
    );
    expect(() => new CircuitRegistry({ clock: hostile() as never })).toThrow(
      expect.objectContaining({ path: 'clock' }),
    );
  });

  it('rejects a store without attach() and names a store that cannot be read', () => {
    expect(() => new CircuitRegistry({ store: {} as never })).toThrow(
      'store must be a StateStore (with attach and close); got {}',
    );
    expect(() => new CircuitRegistry({ store: hostile() as never })).toThrow(
      expect.objectContaining({ path: 'store' }),
    );
  });

  it('uses the clock it is given', () => {
    const clock = new ManualClock(5);
    expect(new CircuitRegistry({ clock }).clock).toBe(clock);
  });
});

describe('CircuitRegistry.get', () => {
  it('rejects a policy that is not an object, for a new circuit and an existing one', () => {
    const registry = new CircuitRegistry();
    expect(() => registry.get('a', 5 as never)).toThrow('circuit must be an object; got 5');
    registry.get('a');
    expect(() => registry.get('a', [] as never)).toThrow('circuit must be an object; got []');
    expect(() => registry.get('', 5 as never)).toThrow('circuit must be an object; got 5');
  });

  it('rejects a name that is not a string', () => {
    expect(() => new CircuitRegistry().get(5 as never)).toThrow(
      'name must be a non-empty string; got 5',
    );
  });

  it('names an unknown option of a circuit policy under "circuit"', () => {
    expect(() => new CircuitRegistry().get('a', { bogus: 1 } as never)).toThrow(
      'circuit.bogus is not a known option; got 1',
    );
  });

  it('throws for an invalid policy each time it is given for an existing circuit', () => {
    // Fixed bug: the policy was marked checked before it was resolved, so a second get() with the
    // same invalid object returned the circuit without a word.
    const registry = new CircuitRegistry();
    registry.get('a');
    const invalid = { openMs: -1 };
    for (let i = 0; i < 2; i++) {
      expect(() => registry.get('a', invalid)).toThrow(
        'circuit.openMs must be a finite number > 0; got -1',
      );
    }
  });

  it('gives circuits created with one policy object one frozen resolved policy', () => {
    const registry = new CircuitRegistry({ defaults: { openMs: 50 } });
    const policy = { halfOpenProbes: 2 };
    expect(registry.get('a', policy).policy).toBe(registry.get('b', policy).policy);
    expect(registry.get('c').policy).toBe(registry.get('d').policy);
    expect(registry.get('c').policy).not.toBe(registry.get('a').policy);
    expect(Object.isFrozen(registry.get('a').policy)).toBe(true);
  });
});

describe('CircuitRegistry eviction', () => {
  it('evicts down to 90 % of maxCircuits, the least recently used first', () => {
    const registry = new CircuitRegistry({ maxCircuits: 10 });
    const evicted: string[] = [];
    registry.onEvict((e) => evicted.push(e.name));
    for (let i = 0; i <= 10; i++) registry.get(`c${i}`).tryAcquire()?.record('success');
    expect(evicted).toEqual(['c0', 'c1']);
    expect(registry.size).toBe(9);
  });

  it('evicts nothing when no circuit but the new one is idle and closed', () => {
    const registry = new CircuitRegistry({
      maxCircuits: 2,
      defaults: { trip: { consecutiveFailures: 1 } },
    });
    const evicted: string[] = [];
    registry.onEvict((e) => evicted.push(e.name));
    registry.get('open').tryAcquire()?.record('failure');
    const busy = registry.get('busy').tryAcquire();
    registry.get('new');
    expect(evicted).toEqual([]);
    expect(registry.size).toBe(3);
    busy?.record('success');
  });

  it('stops sharing the state of an evicted circuit', () => {
    const store = new MemoryStateStore();
    const a = new CircuitRegistry({ store, maxCircuits: 2 });
    const b = new CircuitRegistry({ store, defaults: { trip: { consecutiveFailures: 1 } } });
    const first = a.get('c0');
    a.get('c1');
    a.get('c2');
    expect(a.find('c0')).toBeUndefined();
    b.get('c0').tryAcquire()?.record('failure');
    expect(b.get('c0').state).toBe('open');
    expect(first.state).toBe('closed');
  });
});
