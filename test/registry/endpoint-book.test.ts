import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import {
  DEFAULT_ENDPOINT_CIRCUIT,
  EndpointBook,
  EndpointEntry,
  ejectionCap,
  type EndpointBookOptions,
} from '../../src/registry/endpoint-book.js';

const POLICY = { trip: { consecutiveFailures: 1 }, openMs: 100 } as const;

/** An ejection target that records what it was told. */
class Target {
  readonly calls: boolean[] = [];
  setEjected(ejected: boolean): void {
    this.calls.push(ejected);
  }
  get last(): boolean | undefined {
    return this.calls.at(-1);
  }
}

/** Ejection is applied in a microtask. */
const flush = () => new Promise((r) => setImmediate(r));

function setup(addresses: string[], options: Partial<EndpointBookOptions> = {}) {
  const clock = new ManualClock();
  const registry = new CircuitRegistry({ clock });
  const book = new EndpointBook({
    registry,
    policyFor: () => POLICY,
    nameOf: (a) => `ep:${a}`,
    maxEjectionPercent: 50,
    readmitWhenClosed: false,
    ...options,
  });
  const targets = new Map<string, Target>();
  for (const a of addresses) {
    const t = new Target();
    book.entry(a).targets.add(t);
    targets.set(a, t);
  }
  const trip = (a: string) => book.entry(a).circuit.tryAcquire()?.record('failure');
  const ejected = () => addresses.filter((a) => book.entry(a).ejected);
  return { clock, registry, book, targets, trip, ejected };
}

describe('ejectionCap', () => {
  it('ejects nothing among fewer than two endpoints or at 0 %', () => {
    expect(ejectionCap(0, 100)).toBe(0);
    expect(ejectionCap(1, 100)).toBe(0);
    expect(ejectionCap(10, 0)).toBe(0);
  });

  it('ejects the percentage rounded down, at least one and never all', () => {
    expect(ejectionCap(2, 10)).toBe(1);
    expect(ejectionCap(2, 100)).toBe(1);
    expect(ejectionCap(3, 50)).toBe(1);
    expect(ejectionCap(10, 25)).toBe(2);
    expect(ejectionCap(10, 50)).toBe(5);
    expect(ejectionCap(10, 100)).toBe(9);
  });
});

describe('DEFAULT_ENDPOINT_CIRCUIT', () => {
  it('opens at a 30 % failure rate (or slow calls over 1 s) in 10 calls, for 1 s to 10 s', () => {
    const policy = new CircuitRegistry().get('ep', DEFAULT_ENDPOINT_CIRCUIT).policy;
    expect(policy.trip).toEqual({
      kind: 'rate',
      failureRate: 0.3,
      windowCalls: 10,
      minimumCalls: 5,
      windowMs: 10_000,
    });
    expect([policy.slowCallMs, policy.slowCallRate]).toEqual([1_000, 0.3]);
    expect([policy.openMs.initialMs, policy.openMs.maxMs]).toEqual([1_000, 10_000]);
  });
});

describe('EndpointEntry', () => {
  it('tells every target its ejection flag', () => {
    const registry = new CircuitRegistry();
    const entry = new EndpointEntry('h:1', registry.get('h:1'));
    const [a, b] = [new Target(), new Target()];
    entry.targets.add(a).add(b);
    expect([entry.ejected, entry.sick, entry.pendingProbe]).toEqual([false, false, undefined]);
    entry.ejected = true;
    entry.apply();
    expect([a.calls, b.calls]).toEqual([[true], [true]]);
  });
});

describe('EndpointBook', () => {
  it('creates one entry per address, with the circuit named and shaped by the options', () => {
    const seen: string[] = [];
    const { book, registry } = setup([], {
      policyFor: (e) => {
        seen.push(e.address);
        return { openMs: 123 };
      },
    });
    const e = book.entry('h:1');
    expect(book.entry('h:1')).toBe(e);
    expect(e.address).toBe('h:1');
    expect(e.circuit).toBe(registry.find('ep:h:1'));
    expect(e.circuit.policy.openMs.initialMs).toBe(123);
    expect(seen).toEqual(['h:1']);
  });

  it('ejects an endpoint whose circuit opens and tells its targets in a microtask', async () => {
    const { book, targets, trip, ejected } = setup(['a', 'b', 'c']);
    trip('b');
    expect(ejected()).toEqual(['b']);
    expect(book.ejected).toBe(1);
    expect(targets.get('b')!.calls).toEqual([]);
    await flush();
    expect(targets.get('b')!.calls).toEqual([true]);
    expect(targets.get('a')!.calls).toEqual([false]);
  });

  it('applies several changes made in one tick once', async () => {
    const { registry, targets, trip, ejected } = setup(['a', 'b', 'c', 'd']);
    trip('a');
    trip('b');
    expect(ejected()).toEqual(['a', 'b']);
    await flush();
    expect([...targets.values()].map((t) => t.calls)).toEqual([[true], [true], [false], [false]]);
    registry.control('ep:a', 'reset');
    await flush();
    expect(targets.get('a')!.calls).toEqual([true, false]);
  });

  it('keeps an ejected endpoint ejected through a change to another sick state', () => {
    const { registry, trip, ejected } = setup(['a', 'b', 'c']);
    trip('c');
    trip('a');
    expect(ejected()).toEqual(['c']);
    registry.control('ep:c', 'force-open');
    expect(ejected()).toEqual(['c']);
  });

  it('ignores the other circuits of the registry', () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const { book, registry } = setup(['a', 'b', 'c']);
      registry.get('other', POLICY).tryAcquire()?.record('failure');
      expect(book.ejected).toBe(0);
      expect(emit).not.toHaveBeenCalled();
    } finally {
      emit.mockRestore();
    }
  });

  it('ejects no more than the cap, the first to fall sick first', () => {
    const { book, trip, ejected } = setup(['a', 'b', 'c', 'd']);
    trip('c');
    trip('a');
    trip('b');
    expect(ejected()).toEqual(['a', 'c']);
    expect(book.ejected).toBe(2);
  });

  it('takes every endpoint back when all are sick', () => {
    const { book, trip, ejected } = setup(['a', 'b']);
    trip('a');
    expect(ejected()).toEqual(['a']);
    trip('b');
    expect(ejected()).toEqual([]);
    expect(book.ejected).toBe(0);
  });

  it('ejects a new endpoint whose circuit is already open', () => {
    const { book, registry, ejected } = setup(['a', 'b']);
    registry.get('ep:c', POLICY).tryAcquire()?.record('failure');
    book.entry('c');
    expect(book.entry('c').ejected).toBe(true);
    expect(ejected()).toEqual([]);
  });

  it('takes an endpoint back when its open period has passed, not before', () => {
    const { clock, book, trip } = setup(['a', 'b', 'c']);
    trip('a');
    clock.advance(99);
    book.readmitDue(clock.now());
    expect(book.entry('a').ejected).toBe(true);
    clock.advance(1);
    book.readmitDue(clock.now());
    expect(book.entry('a').ejected).toBe(false);
    expect(book.entry('a').circuit.state).toBe('half-open');
  });

  it('re-reads each ejected endpoint when its own open period ends', () => {
    const { clock, book, trip } = setup(['a', 'b', 'c', 'd', 'e']);
    trip('a');
    clock.advance(50);
    trip('b');
    clock.advance(50);
    book.readmitDue(clock.now());
    expect([book.entry('a').ejected, book.entry('b').ejected]).toEqual([false, true]);
    clock.advance(49);
    book.readmitDue(clock.now());
    expect(book.entry('b').ejected).toBe(true);
    clock.advance(1);
    book.readmitDue(clock.now());
    expect(book.entry('b').ejected).toBe(false);
  });

  it('waits for a closed circuit when readmitWhenClosed is set', () => {
    const { clock, book, trip } = setup(['a', 'b', 'c'], { readmitWhenClosed: true });
    trip('a');
    clock.advance(100);
    book.readmitDue(clock.now());
    const a = book.entry('a');
    expect(a.circuit.state).toBe('half-open');
    expect(a.ejected).toBe(true);
    a.circuit.tryAcquire()?.record('success');
    expect(a.circuit.state).toBe('closed');
    expect(a.ejected).toBe(false);
  });

  it('ejects a forced-open endpoint until it is reset', () => {
    const { book, registry } = setup(['a', 'b', 'c']);
    registry.control('ep:a', 'force-open');
    expect(book.entry('a').ejected).toBe(true);
    registry.control('ep:a', 'reset');
    expect(book.entry('a').ejected).toBe(false);
  });

  it('applies a new ejection cap at once, and keeps the ejected ones for the same cap', () => {
    const { book, trip, ejected } = setup(['a', 'b', 'c']);
    trip('b');
    trip('a');
    expect(ejected()).toEqual(['b']);
    book.setMaxEjectionPercent(50);
    expect(ejected()).toEqual(['b']);
    book.setMaxEjectionPercent(0);
    expect(ejected()).toEqual([]);
    book.setMaxEjectionPercent(100);
    expect(ejected()).toEqual(['a', 'b']);
  });

  it('keeps only the retained addresses, taking forgotten ones back first', async () => {
    const { book, registry, trip, targets } = setup(['a', 'b', 'c']);
    trip('a');
    trip('b');
    expect(book.entry('a').ejected).toBe(true);
    book.retain(new Set(['b', 'c', 'd']));
    expect(book.ejected).toBe(1);
    expect(book.entry('b').ejected).toBe(true);
    // The forgotten endpoint's circuit no longer moves the book.
    registry.control('ep:a', 'reset');
    registry.get('ep:a').tryAcquire()?.record('failure');
    expect(book.ejected).toBe(1);
    await flush();
    expect(targets.get('b')!.last).toBe(true);
  });

  it('takes every endpoint back and stops listening when closed', () => {
    const { book, registry, trip } = setup(['a', 'b', 'c']);
    trip('a');
    const a = book.entry('a');
    book.close();
    expect(a.ejected).toBe(false);
    expect(book.ejected).toBe(0);
    registry.control('ep:b', 'force-open');
    expect(book.ejected).toBe(0);
  });
});
