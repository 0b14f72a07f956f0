import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import type { CircuitPolicy } from '../../src/core/policy.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';

function controllableProbe() {
  const pending: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  let runs = 0;
  const probe = () => {
    runs++;
    return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  };
  return { probe, pending, runs: () => runs };
}

const flush = () => new Promise((r) => setImmediate(r));

function trippedBreaker(policy: CircuitPolicy, clock = new ManualClock()) {
  const breaker = new CircuitBreaker(
    'health',
    { trip: { consecutiveFailures: 1 }, openMs: 100, ...policy },
    { clock },
  );
  breaker.tryAcquire()!.record('failure');
  clock.advance(100);
  return { breaker, clock };
}

describe('halfOpenProbe', () => {
  it('runs the health check instead of letting user calls probe', async () => {
    const p = controllableProbe();
    const { breaker } = trippedBreaker({ halfOpenProbe: p.probe });
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(p.runs()).toBe(1);
    p.pending[0]!.resolve();
    await flush();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBeDefined();
  });

  it('re-opens when the health check fails', async () => {
    const p = controllableProbe();
    const { breaker } = trippedBreaker({ halfOpenProbe: p.probe });
    void breaker.state;
    p.pending[0]!.reject(new Error('NOT_SERVING'));
    await flush();
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastTripReason).toBe('probe-failure');
  });

  it('runs the check again until halfOpenSuccesses have passed, one at a time', async () => {
    const p = controllableProbe();
    const { breaker } = trippedBreaker({ halfOpenProbe: p.probe, halfOpenSuccesses: 3 });
    void breaker.state;
    for (let i = 0; i < 2; i++) {
      expect(p.pending).toHaveLength(i + 1);
      p.pending[i]!.resolve();
      await flush();
      expect(breaker.state).toBe('half-open');
    }
    p.pending[2]!.resolve();
    await flush();
    expect(breaker.state).toBe('closed');
    expect(p.runs()).toBe(3);
  });

  it('treats a check that throws synchronously as a failure', async () => {
    const { breaker } = trippedBreaker({
      halfOpenProbe: () => {
        throw new Error('sync');
      },
    });
    void breaker.state;
    await flush();
    expect(breaker.state).toBe('open');
  });

  it('drops the result of a check that finishes after an operator reset', async () => {
    const p = controllableProbe();
    const { breaker } = trippedBreaker({ halfOpenProbe: p.probe });
    void breaker.state;
    breaker.forceOpen();
    p.pending[0]!.resolve();
    await flush();
    expect(breaker.state).toBe('forced-open');
  });

  it('runs one check across a fleet sharing a store', async () => {
    const p = controllableProbe();
    const store = new MemoryStateStore();
    const clock = new ManualClock();
    const defaults: CircuitPolicy = {
      trip: { consecutiveFailures: 1 },
      openMs: 100,
      halfOpenProbe: p.probe,
    };
    const fleet = [0, 1, 2].map(() => new CircuitRegistry({ store, clock, defaults }));
    fleet.forEach((r) => r.get('svc'));
    fleet[0]!.get('svc').tryAcquire()!.record('failure');
    expect(fleet[2]!.get('svc').state).toBe('open');
    clock.advance(100);
    fleet.forEach((r) => expect(r.get('svc').state).toBe('half-open'));
    fleet.forEach((r) => r.get('svc').tryAcquire());
    expect(p.runs()).toBe(1);
    p.pending[0]!.resolve();
    await flush();
    fleet.forEach((r) => expect(r.get('svc').state).toBe('closed'));
  });
});

describe('halfOpenProbeTimeoutMs', () => {
  it('fails a check still pending at its deadline (default 10 s) and drops its late result', async () => {
    const p = controllableProbe();
    const { breaker, clock } = trippedBreaker({ halfOpenProbe: p.probe });
    expect(breaker.state).toBe('half-open');
    clock.advance(9_999);
    expect(breaker.state).toBe('half-open');
    clock.advance(1);
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastTripReason).toBe('probe-failure');
    p.pending[0]!.resolve();
    await flush();
    expect(breaker.state).toBe('open');
    // The next half-open period runs a fresh check, which can close the circuit.
    clock.advance(100);
    expect(breaker.state).toBe('half-open');
    expect(p.runs()).toBe(2);
    p.pending[1]!.resolve();
    await flush();
    expect(breaker.state).toBe('closed');
  });

  it('judges an overdue check when a call asks, rejecting it as open', () => {
    const p = controllableProbe();
    const { breaker, clock } = trippedBreaker({
      halfOpenProbe: p.probe,
      halfOpenProbeTimeoutMs: 50,
    });
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.lastRejection().reason).toBe('half-open-full');
    clock.advance(50);
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.lastRejection()).toMatchObject({ reason: 'open', retryAfterMs: 100 });
    expect(breaker.snapshot()).toMatchObject({ state: 'open', inFlight: 0 });
  });

  it('lets a check that settles in time decide', async () => {
    const p = controllableProbe();
    const { breaker, clock } = trippedBreaker({
      halfOpenProbe: p.probe,
      halfOpenProbeTimeoutMs: 50,
    });
    void breaker.state;
    clock.advance(49);
    p.pending[0]!.resolve();
    await flush();
    clock.advance(10);
    expect(breaker.state).toBe('closed');
  });

  it('fails an overdue check across a fleet sharing a store', async () => {
    const p = controllableProbe();
    const store = new MemoryStateStore();
    const clock = new ManualClock();
    const defaults: CircuitPolicy = {
      trip: { consecutiveFailures: 1 },
      openMs: 100,
      halfOpenProbe: p.probe,
      halfOpenProbeTimeoutMs: 1_000,
    };
    const fleet = [0, 1].map(() => new CircuitRegistry({ store, clock, defaults }));
    fleet.forEach((r) => r.get('svc'));
    fleet[0]!.get('svc').tryAcquire()!.record('failure');
    clock.advance(100);
    fleet.forEach((r) => r.get('svc').tryAcquire());
    await flush();
    expect(p.runs()).toBe(1);
    clock.advance(1_000);
    fleet.forEach((r) => r.get('svc').tryAcquire());
    fleet.forEach((r) => expect(r.get('svc').state).toBe('open'));
  });

  it.each([0, -1, Number.NaN, Infinity, '10'])('rejects halfOpenProbeTimeoutMs %s', (v) => {
    expect(() => new CircuitBreaker('x', { halfOpenProbeTimeoutMs: v as number })).toThrow(
      /circuit\.halfOpenProbeTimeoutMs must be a finite number > 0; got/,
    );
  });
});
