import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import { CircuitRegistry, type StateChangeEvent } from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';

function failOnce(registry: CircuitRegistry, name: string) {
  registry.get(name).tryAcquire()?.record('failure');
}

describe('CircuitRegistry', () => {
  it('creates one circuit per name, lazily', () => {
    const registry = new CircuitRegistry();
    expect(registry.size).toBe(0);
    const a = registry.get('a');
    expect(registry.get('a')).toBe(a);
    expect(registry.get('b')).not.toBe(a);
    expect(registry.size).toBe(2);
  });

  it('merges a circuit policy over the defaults', () => {
    const registry = new CircuitRegistry({
      defaults: { openMs: 1_234, trip: { consecutiveFailures: 9 } },
    });
    const c = registry.get('x', { trip: { consecutiveFailures: 2 } });
    expect(c.policy.openMs.initialMs).toBe(1_234);
    expect(c.policy.trip).toEqual({ kind: 'consecutive', consecutiveFailures: 2 });
  });

  it('throws ConfigError for invalid defaults, maxCircuits and names', () => {
    expect(() => new CircuitRegistry({ defaults: { halfOpenProbes: -1 } })).toThrow(
      'defaults.halfOpenProbes must be an integer >= 1; got -1',
    );
    expect(() => new CircuitRegistry({ maxCircuits: 0 })).toThrow(
      'maxCircuits must be an integer >= 1; got 0',
    );
    expect(() => new CircuitRegistry({ clock: {} as never })).toThrow(ConfigError);
    expect(() => new CircuitRegistry().get('')).toThrow('name must be a non-empty string; got ""');
    expect(() => new CircuitRegistry().get('y', { openMs: -1 })).toThrow(
      'circuit.openMs must be a finite number > 0; got -1',
    );
  });

  it('does not mutate the defaults it was given', () => {
    const defaults = { trip: { consecutiveFailures: 3 } };
    new CircuitRegistry({ defaults }).get('a', { openMs: 5 });
    expect(defaults).toEqual({ trip: { consecutiveFailures: 3 } });
  });

  it('tells state-change listeners and stops after dispose', () => {
    const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 1 } } });
    const seen: StateChangeEvent[] = [];
    const sub = registry.onStateChange((e) => seen.push(e));
    failOnce(registry, 'a');
    expect(seen).toEqual([
      { name: 'a', from: 'closed', to: 'open', reason: 'consecutive-failures' },
    ]);
    sub.dispose();
    registry.get('a').reset();
    expect(seen).toHaveLength(1);
  });

  it('tells call, reject and fallback listeners', () => {
    const registry = new CircuitRegistry({
      clock: new ManualClock(),
      defaults: { trip: { consecutiveFailures: 1 } },
    });
    const calls: unknown[] = [];
    const rejects: unknown[] = [];
    const fallbacks: unknown[] = [];
    registry.onCall((e) => calls.push(e));
    registry.onReject((e) => rejects.push(e));
    registry.onFallback((e) => fallbacks.push(e));
    registry.get('a').tryAcquire()!.record('failure', 12);
    registry.get('a').tryAcquire();
    registry.recordFallback('a', 'cache', '/pkg.Svc/Get');
    expect(calls).toEqual([{ name: 'a', outcome: 'failure', durationMs: 12, slow: false }]);
    expect(rejects).toEqual([{ name: 'a', reason: 'open', retryAfterMs: 10_000 }]);
    expect(fallbacks).toEqual([{ name: 'a', kind: 'cache', method: '/pkg.Svc/Get' }]);
    expect(registry.get('a').snapshot().counts.fallbacks).toBe(1);
  });

  it('keeps working when a listener throws, and says so once as a process warning', () => {
    // The warning is captured here so that it is asserted on rather than printed by `npm test`.
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 1 } } });
      registry.onStateChange(() => {
        throw new Error('listener bug');
      });
      failOnce(registry, 'a');
      failOnce(registry, 'b');
      expect(registry.get('a').state).toBe('open');
      expect(registry.get('b').state).toBe('open');
      expect(warn.mock.calls).toEqual([
        ['rpc-breaker: an event listener threw: Error: listener bug', 'RpcBreakerWarning'],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('stops a listener when its handle is disposed, by dispose() or by `using`', async () => {
    const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 1 } } });
    const seen: string[] = [];
    const handle = registry.onStateChange((e) => seen.push(`x:${e.name}`));
    {
      using _scoped = registry.onStateChange((e) => seen.push(`scoped:${e.name}`));
      failOnce(registry, 'a');
    }
    handle[Symbol.dispose]();
    handle.dispose();
    failOnce(registry, 'b');
    expect(seen).toEqual(['x:a', 'scoped:a']);
    let closed = false;
    class Store extends MemoryStateStore {
      override async close(): Promise<void> {
        closed = true;
      }
    }
    {
      await using _registry = new CircuitRegistry({ store: new Store() });
    }
    expect(closed).toBe(true);
  });

  it('returns plain JSON snapshots of every circuit', () => {
    const registry = new CircuitRegistry();
    registry.get('a');
    registry.get('b');
    const snap = registry.snapshot();
    expect(snap.map((s) => s.name)).toEqual(['a', 'b']);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });

  it('evicts the idle closed circuits used least recently past maxCircuits', () => {
    const clock = new ManualClock();
    const registry = new CircuitRegistry({ clock, maxCircuits: 10 });
    const evicted: string[] = [];
    registry.onEvict((e) => evicted.push(e.name));
    for (let i = 0; i < 10; i++) {
      registry.get(`c${i}`).tryAcquire()?.record('success');
      clock.advance(1);
    }
    registry.get('c0').tryAcquire()?.record('success');
    registry.get('c10');
    expect(registry.size).toBeLessThanOrEqual(10);
    expect(evicted[0]).toBe('c1');
    expect(registry.find('c0')).toBeDefined();
    expect(registry.find('c10')).toBeDefined();
  });

  it('never evicts an open circuit or one with a call in flight', () => {
    const clock = new ManualClock();
    const registry = new CircuitRegistry({
      clock,
      maxCircuits: 3,
      defaults: { trip: { consecutiveFailures: 1 } },
    });
    failOnce(registry, 'open');
    const busy = registry.get('busy').tryAcquire();
    registry.get('forced').forceOpen();
    clock.advance(1);
    for (let i = 0; i < 20; i++) registry.get(`idle${i}`);
    expect(registry.find('open')?.state).toBe('open');
    expect(registry.find('busy')).toBeDefined();
    expect(registry.find('forced')).toBeDefined();
    busy?.record('success');
  });

  it('holds 100,000 circuits at its bound when asked for 300,000 names', () => {
    const registry = new CircuitRegistry({ maxCircuits: 100_000 });
    for (let i = 0; i < 300_000; i++) registry.get(`n${i}`);
    expect(registry.size).toBeLessThanOrEqual(100_000);
  });
});
