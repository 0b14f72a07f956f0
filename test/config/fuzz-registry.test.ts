/**
 * Issue #12, the core entry points: `new CircuitRegistry(options)`, `registry.get(name, policy)`,
 * `registry.restore(snapshot)` and `circuit.execute(fn, options)` over fuzzed options. Each call
 * is accepted or rejected with a ConfigError naming the option; an accepted configuration runs a
 * first call to completion within a bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { isConfigError } from '../../src/core/errors.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { MemoryStateStore } from '../../src/storage/memory-state-store.js';
import { fcRuns } from '../fc-runs.js';
import {
  acceptedOrConfigError,
  expectBothOutcomes,
  settlesOrConfigError,
} from './config-property.js';
import { goodCount, goodMs, hostileValue, listOf, optionsOf, pick } from './hostile-options.js';
import { circuitPolicy } from './option-schemas.js';

const FIRST_CALL_BOUND_MS = 2_000;

/** A store whose attach() hands back something that is not a CircuitSync. */
const brokenStore = { attach: () => ({}), close: () => Promise.resolve() };

const registryOptions = optionsOf({
  defaults: circuitPolicy,
  clock: fc.constantFrom<unknown>(
    new ManualClock(),
    { now: () => 0 },
    { now: 5 },
    { now: () => NaN },
    { now: () => 'soon' },
    { now: () => -Infinity },
  ),
  store: fc.oneof(
    fc.constant(null).map(() => new MemoryStateStore()),
    fc.constantFrom<unknown>({ attach: 1 }, {}, { attach: () => ({}) }, brokenStore),
  ),
  maxCircuits: goodCount,
});

const snapshotEntry = optionsOf({
  name: fc.constantFrom('a', 'b', ''),
  state: fc.constantFrom('closed', 'open', 'half-open', 'forced-open', 'disabled', 'opening'),
  retryAfterMs: goodMs,
  takenAt: fc.constantFrom(0, Date.now(), Date.now() + 60_000),
  consecutiveOpens: fc.constantFrom(0, 1, 3),
  counts: optionsOf({ successes: goodCount, failures: goodCount, rejected: goodCount }),
  lastTripReason: fc.constantFrom(null, 'consecutive-failures', 'forced', 'nope'),
  openUntil: goodMs,
});

const fnOrHostile = fc.oneof(
  { weight: 6, arbitrary: fc.constant(() => Promise.resolve('ok')) },
  { weight: 1, arbitrary: hostileValue.filter((v) => typeof v !== 'function') },
);

const executeOptions = fc.oneof(
  optionsOf({
    signal: fc.constantFrom<unknown>(new AbortController().signal, { aborted: false }),
    timeoutMs: goodMs,
    classify: fc.constant(() => 'success'),
  }),
  fc.constant(() => 'success'),
  fc.constant(undefined),
);

/** Runs one call through `registry`'s circuit `name`; it must settle within the bound. */
async function firstCallSettles(registry: CircuitRegistry, name: string): Promise<void> {
  // A store's attach() runs when the circuit is created: what it returns is checked then.
  const got = acceptedOrConfigError(() => registry.get(name));
  if (!got) return;
  const circuit = got.value;
  const outcome = await settlesOrConfigError(
    () => circuit.execute(() => Promise.resolve('ok')),
    FIRST_CALL_BOUND_MS,
  );
  expect(outcome?.value).toBe('ok');
}

describe('fuzzed registry options', () => {
  it('new CircuitRegistry(options): accepted (and a first call completes) or a ConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(registryOptions, async (options) => {
        const made = acceptedOrConfigError(() => new CircuitRegistry(options as never));
        if (!made) return;
        await firstCallSettles(made.value, 'first');
        await made.value.close(); // releases the store
      }),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });

  it('registry.get(name, policy): accepted (and a first call completes) or a ConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('svc', '', 'constructor', '__proto__'), hostileValue),
        fc.oneof({ weight: 4, arbitrary: circuitPolicy }, { weight: 1, arbitrary: hostileValue }),
        async (name, policy) => {
          const registry = new CircuitRegistry({ clock: new ManualClock() });
          const got = acceptedOrConfigError(() => registry.get(name as string, policy as never));
          if (!got) return;
          const outcome = await settlesOrConfigError(
            () => got.value.execute(() => Promise.resolve('ok')),
            FIRST_CALL_BOUND_MS,
          );
          expect(outcome?.value).toBe('ok');
        },
      ),
      { numRuns: fcRuns(1_500) },
    );
    expectBothOutcomes();
  });

  it('registry.restore(snapshot): accepted (and a first call completes) or a ConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 5, arbitrary: listOf(snapshotEntry) },
          { weight: 1, arbitrary: hostileValue },
        ),
        async (snapshot) => {
          const registry = new CircuitRegistry({ clock: new ManualClock() });
          registry.get('a');
          if (!acceptedOrConfigError(() => registry.restore(snapshot as never))) return;
          // A restored circuit may be open and reject: that is an answer, not a hang.
          for (const name of ['a', 'b']) {
            const circuit = registry.get(name);
            await Promise.race([
              circuit.execute(() => Promise.resolve('ok')).catch(() => 'rejected'),
              new Promise((_, reject) =>
                setTimeout(() => reject(new Error('first call hung')), FIRST_CALL_BOUND_MS),
              ),
            ]);
          }
        },
      ),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });

  it('circuit.execute(fn, options): settles, or rejects with a ConfigError', async () => {
    const registry = new CircuitRegistry();
    await fc.assert(
      fc.asyncProperty(fnOrHostile, executeOptions, async (fn, options) => {
        const circuit = registry.get('execute');
        // execute never throws: a bad option is a rejection.
        const returned = circuit.execute(fn as never, options as never);
        const outcome = await settlesOrConfigError(() => returned, FIRST_CALL_BOUND_MS);
        if (outcome) expect(outcome.value).toBe('ok');
      }),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });
});

describe('counterexamples found by the fuzzing', () => {
  it('execute(fn) with fn not a function rejects with a ConfigError, not a TypeError', async () => {
    const circuit = new CircuitRegistry().get('svc');
    for (const fn of [undefined, 5, 'x', {}]) {
      await expect(circuit.execute(fn as never)).rejects.toThrow(/^fn must be a function/);
    }
    expect(circuit.snapshot().counts.failures).toBe(0); // nothing ran, nothing counted
  });

  it('a store without close, or whose attach() returns no CircuitSync, is a ConfigError', async () => {
    const e = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return error as Error;
      }
      return undefined;
    };
    expect(
      e(() => new CircuitRegistry({ store: { attach: () => ({}) } as never }))?.message,
    ).toMatch(/^store must be a StateStore/);
    const registry = new CircuitRegistry({ store: brokenStore as never });
    expect(e(() => registry.get('svc'))?.message).toMatch(
      /^store\.attach\(\) must return a CircuitSync/,
    );
    expect(registry.size).toBe(0);
    await registry.close(); // no TypeError from a half-attached circuit
  });

  it('registry.get with a policy that is not an object is a ConfigError, not a TypeError', () => {
    const registry = new CircuitRegistry();
    for (const policy of [NaN, 5, 'x', true, Symbol('s'), 10n, [], () => ({})]) {
      let error: unknown;
      try {
        registry.get('x', policy as never);
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error), String(policy)).toBe(true);
      expect((error as Error).message).toMatch(/^circuit must be an object/);
    }
    expect(registry.size).toBe(0);
  });
});

describe('fuzzed CircuitBreaker construction', () => {
  it('new CircuitBreaker(name, policy, options): accepted (and a first call completes) or a ConfigError', async () => {
    const breakerOptions = optionsOf({
      clock: pick([new ManualClock()], [{ now: 1 }]),
      // Hooks are the caller's functions (one that throws when called is not a configuration
      // error): only non-functions in place of hooks are hostile here.
      observer: fc.record(
        { call: pick([() => undefined], [5, 'x']), timing: pick([() => true], [{}]) },
        { requiredKeys: [] },
      ),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 4, arbitrary: fc.constant('svc') },
          { weight: 1, arbitrary: hostileValue },
        ),
        fc.oneof({ weight: 4, arbitrary: circuitPolicy }, { weight: 1, arbitrary: hostileValue }),
        breakerOptions,
        async (name, policy, options) => {
          const made = acceptedOrConfigError(
            () => new CircuitBreaker(name as string, policy as never, options as never),
          );
          if (!made) return;
          const outcome = await settlesOrConfigError(
            () => made.value.execute(() => Promise.resolve('ok')),
            FIRST_CALL_BOUND_MS,
          );
          expect(outcome?.value).toBe('ok');
        },
      ),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
  });

  it('a null options object or an observer hook that is not a function is a ConfigError', () => {
    expect(() => new CircuitBreaker('a', undefined, null as never)).toThrow(
      /^options must be an object/,
    );
    expect(() => new CircuitBreaker('a', undefined, { observer: { call: 5 } } as never)).toThrow(
      /^observer\.call must be a function/,
    );
    expect(() => new CircuitBreaker('', undefined)).toThrow(/^name must be a non-empty string/);
  });
});
