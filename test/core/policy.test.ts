import { describe, expect, it } from 'vitest';
import { ConfigError, isConfigError } from '../../src/core/errors.js';
import { resolveCircuitPolicy } from '../../src/core/policy.js';

const bad: Array<[string, unknown, string]> = [
  [
    'circuit.trip.failureRate must be in (0, 1]; got 2',
    { trip: { failureRate: 2 } },
    'failureRate 2',
  ],
  [
    'circuit.trip.failureRate must be in (0, 1]; got 0',
    { trip: { failureRate: 0 } },
    'failureRate 0',
  ],
  [
    'circuit.trip.consecutiveFailures must be an integer >= 1; got 0',
    { trip: { consecutiveFailures: 0 } },
    'consecutive 0',
  ],
  [
    'circuit.trip.consecutiveFailures must be an integer >= 1; got 2.5',
    { trip: { consecutiveFailures: 2.5 } },
    'consecutive 2.5',
  ],
  [
    'circuit.trip.minimumCalls must be an integer >= 1; got -1',
    { trip: { failureRate: 0.5, minimumCalls: -1 } },
    'minimumCalls',
  ],
  [
    'circuit.trip.windowCalls must be an integer >= 1; got "10"',
    { trip: { failureRate: 0.5, windowCalls: '10' } },
    'windowCalls string',
  ],
  [
    'circuit.trip.windowMs must be a finite number > 0; got Infinity',
    { trip: { failureRate: 0.5, windowMs: Infinity } },
    'windowMs',
  ],
  [
    'circuit.trip.windowMs cannot be combined with windowCalls; got 100',
    { trip: { failureRate: 0.5, windowMs: 100, windowCalls: 5 } },
    'both windows',
  ],
  ['circuit.trip must have consecutiveFailures or failureRate; got {}', { trip: {} }, 'empty trip'],
  [
    'circuit.trip.foo is not a known option; got 1',
    { trip: { consecutiveFailures: 1, foo: 1 } },
    'unknown trip key',
  ],
  ['circuit.slowCallMs must be a finite number > 0; got NaN', { slowCallMs: NaN }, 'slowCallMs'],
  [
    'circuit.slowCallRate must be in (0, 1]; got 1.5',
    { slowCallMs: 10, slowCallRate: 1.5 },
    'slowCallRate',
  ],
  [
    'circuit.slowCallRate needs slowCallMs to be set; got 0.5',
    { slowCallRate: 0.5 },
    'slowCallRate alone',
  ],
  ['circuit.openMs must be a finite number > 0; got -5', { openMs: -5 }, 'openMs'],
  [
    'circuit.openMs.maxMs must be >= initialMs (100); got 50',
    { openMs: { initialMs: 100, maxMs: 50 } },
    'maxMs',
  ],
  [
    'circuit.openMs.multiplier must be >= 1; got 0.5',
    { openMs: { initialMs: 1, maxMs: 2, multiplier: 0.5 } },
    'multiplier',
  ],
  [
    'circuit.openMs.jitter must be in [0, 1]; got 2',
    { openMs: { initialMs: 1, maxMs: 2, jitter: 2 } },
    'jitter',
  ],
  ['circuit.halfOpenProbes must be an integer >= 1; got 0', { halfOpenProbes: 0 }, 'probes'],
  [
    'circuit.halfOpenSuccesses must be an integer >= 1; got null',
    { halfOpenSuccesses: null },
    'successes',
  ],
  ['circuit.maxConcurrent must be an integer >= 1; got 0', { maxConcurrent: 0 }, 'bulkhead'],
  [
    'circuit.halfOpenProbe must be a function returning a Promise; got "yes"',
    { halfOpenProbe: 'yes' },
    'probe fn',
  ],
  ['circuit.fail_max is not a known option; got 5', { fail_max: 5 }, 'unknown key'],
  ['circuit must be an object; got 5', 5, 'not an object'],
];

describe('resolveCircuitPolicy', () => {
  it.each(bad)('throws "%s"', (message, policy) => {
    let thrown: unknown;
    try {
      resolveCircuitPolicy(policy);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(isConfigError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe(message);
  });

  it('fills in the documented defaults', () => {
    const p = resolveCircuitPolicy(undefined);
    expect(p.trip).toEqual({ kind: 'consecutive', consecutiveFailures: 5 });
    expect(p.openMs).toEqual({ initialMs: 10_000, maxMs: 10_000, multiplier: 1, jitter: 0 });
    expect(p.halfOpenProbes).toBe(1);
    expect(p.halfOpenSuccesses).toBe(1);
    expect(p.maxConcurrent).toBeUndefined();
  });

  it('defaults a rate trip to 10 minimum calls over a 10 s window', () => {
    const p = resolveCircuitPolicy({ trip: { failureRate: 0.5 } });
    expect(p.trip).toEqual({
      kind: 'rate',
      failureRate: 0.5,
      minimumCalls: 10,
      windowCalls: undefined,
      windowMs: 10_000,
    });
  });

  it('defaults halfOpenSuccesses to halfOpenProbes', () => {
    expect(resolveCircuitPolicy({ halfOpenProbes: 4 }).halfOpenSuccesses).toBe(4);
  });

  it('freezes the result and never mutates the input', () => {
    const input = { trip: { consecutiveFailures: 3 } };
    const p = resolveCircuitPolicy(input);
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.trip)).toBe(true);
    expect(input).toEqual({ trip: { consecutiveFailures: 3 } });
    expect(Object.isFrozen(input)).toBe(false);
  });

  it('uses the path it is given in messages', () => {
    expect(() => resolveCircuitPolicy({ openMs: 0 }, 'methods.get.circuit')).toThrow(
      'methods.get.circuit.openMs must be a finite number > 0; got 0',
    );
  });
});
