/**
 * Policies that could never trip or never close are rejected (or defaulted so they can), and
 * every duration stays within what a Node timer or a Redis expiry can hold.
 */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { ConfigError } from '../../src/core/errors.js';
import { resolveCircuitPolicy, type CircuitPolicy } from '../../src/core/policy.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';

function fail(breaker: CircuitBreaker, n: number): void {
  for (let i = 0; i < n && breaker.state === 'closed'; i++) breaker.tryAcquire()?.record('failure');
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('a failure-rate policy over a count window', () => {
  it('opens with the default minimumCalls when windowCalls is below 10', () => {
    const breaker = new CircuitBreaker('w5', { trip: { failureRate: 0.5, windowCalls: 5 } });
    fail(breaker, 1_000);
    expect(breaker.state).toBe('open');
  });

  it('defaults minimumCalls to windowCalls when that is smaller, and to 10 otherwise', () => {
    const small = resolveCircuitPolicy({ trip: { failureRate: 0.5, windowCalls: 5 } });
    expect(small.trip).toMatchObject({ minimumCalls: 5, windowCalls: 5 });
    const big = resolveCircuitPolicy({ trip: { failureRate: 0.5, windowCalls: 50 } });
    expect(big.trip).toMatchObject({ minimumCalls: 10, windowCalls: 50 });
  });

  it('opens on the call that brings the window to minimumCalls, not before', () => {
    const breaker = new CircuitBreaker('w4', { trip: { failureRate: 1, windowCalls: 4 } });
    fail(breaker, 3);
    expect(breaker.state).toBe('closed');
    fail(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('opens when the failure share equals failureRate exactly (at or above)', () => {
    const breaker = new CircuitBreaker('eq', { trip: { failureRate: 0.5, windowCalls: 4 } });
    breaker.tryAcquire()!.record('success');
    breaker.tryAcquire()!.record('success');
    breaker.tryAcquire()!.record('failure');
    expect(breaker.state).toBe('closed');
    breaker.tryAcquire()!.record('failure');
    expect(breaker.state).toBe('open');
  });

  it('rejects minimumCalls above windowCalls, naming both', () => {
    const e = thrown(() =>
      resolveCircuitPolicy({ trip: { failureRate: 0.5, windowCalls: 5, minimumCalls: 6 } }),
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toBe(
      'circuit.trip.minimumCalls must be <= windowCalls (5): the window never holds more calls, so the circuit could never trip; got 6',
    );
  });

  it('accepts minimumCalls equal to windowCalls, and opens with it', () => {
    const breaker = new CircuitBreaker('eq', {
      trip: { failureRate: 0.5, windowCalls: 3, minimumCalls: 3 },
    });
    fail(breaker, 3);
    expect(breaker.state).toBe('open');
  });

  it('is rejected through the registry too, under the path of the defaults', () => {
    const e = thrown(
      () =>
        new CircuitRegistry({
          defaults: { trip: { failureRate: 0.5, windowCalls: 2, minimumCalls: 9 } },
        }),
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toMatch(/trip\.minimumCalls must be <= windowCalls \(2\)/);
  });
});

describe('ranges that would make a circuit never trip, never close or never allocate', () => {
  const cases: Array<[string, CircuitPolicy, string]> = [
    [
      'a window of more than a million calls',
      { trip: { failureRate: 0.5, windowCalls: 1e300 } },
      'circuit.trip.windowCalls must be <= 1000000; got 1e+300',
    ],
    [
      'a time window shorter than its 10 buckets of 1 ms',
      { trip: { failureRate: 0.5, windowMs: 1e-300 } },
      'circuit.trip.windowMs must be >= 10 ms; got 1e-300',
    ],
    [
      'a time window longer than a timer can wait',
      { trip: { failureRate: 0.5, windowMs: 1e300 } },
      'circuit.trip.windowMs must be <= 2147483647 ms; got 1e+300',
    ],
    [
      'an open period longer than a timer can wait',
      { openMs: 3e9 },
      'circuit.openMs must be <= 2147483647 ms; got 3000000000',
    ],
    [
      'a backoff ceiling longer than a timer can wait',
      { openMs: { initialMs: 1_000, maxMs: 1e12 } },
      'circuit.openMs.maxMs must be <= 2147483647 ms; got 1000000000000',
    ],
    [
      'a slow-call threshold longer than a timer can wait',
      { slowCallMs: 2 ** 31, slowCallRate: 0.5 },
      'circuit.slowCallMs must be <= 2147483647 ms; got 2147483648',
    ],
  ];

  it.each(cases)('rejects %s', (_what, policy, message) => {
    const e = thrown(() => resolveCircuitPolicy(policy));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toBe(message);
  });

  it('accepts the bounds themselves', () => {
    expect(() =>
      resolveCircuitPolicy({
        trip: { failureRate: 0.5, windowMs: 10 },
        openMs: { initialMs: 1, maxMs: 2_147_483_647 },
        slowCallMs: 2_147_483_647,
        slowCallRate: 1,
      }),
    ).not.toThrow();
    expect(() =>
      resolveCircuitPolicy({ trip: { failureRate: 0.5, windowCalls: 1_000_000 } }),
    ).not.toThrow();
  });

  it('closes with more halfOpenSuccesses than halfOpenProbes: probes run one after another', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(
      'seq',
      { trip: { consecutiveFailures: 1 }, openMs: 100, halfOpenProbes: 1, halfOpenSuccesses: 3 },
      { clock },
    );
    breaker.tryAcquire()!.record('failure');
    clock.advance(100);
    for (let i = 0; i < 2; i++) {
      breaker.tryAcquire()!.record('success');
      expect(breaker.state).toBe('half-open');
    }
    breaker.tryAcquire()!.record('success');
    expect(breaker.state).toBe('closed');
  });
});
