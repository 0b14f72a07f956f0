/**
 * Arbitraries for fuzzing option objects (issue #12) and the property they are checked against.
 *
 * `optionsOf(fields)` builds objects from an option schema: each real option name is left out,
 * given a plausible value (so that nested validators are reached) or a hostile one, and the object
 * itself may gain an own `__proto__` / `constructor` / typo key, have one option turned into a
 * getter that throws, or be replaced whole by a hostile value (a Proxy whose traps throw, an
 * array, a function, `Object.create(null)`, a number …).
 * The property they are checked against is in config-property.ts.
 */
import fc from 'fast-check';

/** What hostile getters and proxy traps throw. */
export class HostileReadError extends Error {
  override name = 'HostileReadError';
}

function boom(): never {
  throw new HostileReadError('a hostile getter threw');
}

/** A fresh value per run (options must not be shared between runs: callers may keep them). */
function fresh<T>(make: () => T): fc.Arbitrary<T> {
  return fc.constant(null).map(() => make());
}

/**
 * Gives `o` a description for fast-check's reports (a non-enumerable symbol key, invisible to
 * `Object.keys`), so that reporting a counterexample does not run its hostile getters.
 */
function described<T extends object>(o: T, text: string): T {
  Object.defineProperty(o, fc.toStringMethod, { value: () => text });
  return o;
}

/**
 * A Proxy whose traps throw for every string key, so that any read, key listing or `in` throws
 * (symbol keys pass through: fast-check itself looks for its clone and description methods).
 */
export function throwingProxy(target: object = {}): object {
  described(target, 'throwingProxy');
  const key = (k: string | symbol) => (typeof k === 'symbol' ? k : boom());
  return new Proxy(target, {
    get: (t, k) => Reflect.get(t, key(k)) as unknown,
    has: (t, k) => Reflect.has(t, key(k)),
    getOwnPropertyDescriptor: (t, k) => Reflect.getOwnPropertyDescriptor(t, key(k)),
    ownKeys: () => boom(),
    getPrototypeOf: () => boom(),
  });
}

/** An object with one enumerable option `key` whose getter throws. */
export function throwingGetter(key = 'x', base: object = {}): object {
  Object.defineProperty(base, key, { get: boom, enumerable: true, configurable: true });
  const shown = Object.keys(base).map((k) => (k === key ? `get ${k}() { throw }` : k));
  return described(base, `{ ${shown.join(', ')} }`);
}

/** The key hostile `__proto__` / `constructor` values try to put on `Object.prototype`. */
export const POLLUTION = 'fuzzPolluted';

/** Scalars of the wrong type or at the edges of every range. */
const hostileScalar = fc.constantFrom<unknown>(
  undefined,
  null,
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  -0,
  0.5,
  1,
  2,
  2 ** 31,
  2 ** 53,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  '',
  ' ',
  'x',
  '10',
  'UNAVAILABLE',
  'transport',
  '*',
  true,
  false,
  10n,
  Symbol('hostile'),
);

/**
 * Getters and proxies that throw are generated unless `FUZZ_READS=safe` (useful while looking
 * for other failures, which throwing reads would otherwise hide behind the first read).
 */
const THROWING_READS = process.env.FUZZ_READS !== 'safe';

/** Objects of the wrong shape, and objects that throw when read. */
const hostileObject = fc.oneof(
  fresh(() => []),
  fresh(() => [1, 'x', undefined]),
  fresh(() => () => 1),
  fresh(() => async () => 1),
  fresh(() => class Hostile {}),
  fresh(() => Object.create(null) as object),
  fresh(() => JSON.parse(`{"__proto__":{"${POLLUTION}":true}}`) as object),
  fresh(() => JSON.parse(`{"constructor":{"prototype":{"${POLLUTION}":true}}}`) as object),
  fresh(() => new Date(NaN)),
  fresh(() => new Map([['x', 1]])),
  ...(THROWING_READS
    ? [
        fresh(() => throwingProxy()),
        fresh(() => throwingProxy(() => 1)),
        fresh(() => throwingGetter()),
      ]
    : []),
);

/** Any hostile value. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileScalar },
  { weight: 2, arbitrary: hostileObject },
);

/**
 * Hostile values that cannot be called: for options that are the caller's own hooks (a class or
 * a function that throws when called is the caller's bug at call time, not a configuration
 * error the constructor could see).
 */
export const hostileData: fc.Arbitrary<unknown> = hostileValue.filter(
  (v) => typeof v !== 'function',
);

/** Keys an options object should never honour. */
const extraKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'typo', '');

/** Options: a schema of option names to arbitraries of plausible values. */
export type Schema = Record<string, fc.Arbitrary<unknown>>;

/**
 * Option objects over `fields` (`hooks` name the options that are the caller's functions). Half
 * are clean (plausible values only, options left out at
 * random), so that the checks past the first bad option are reached; the other half mix in a
 * hostile value per option (one time in six), sometimes an extra hostile key or a throwing
 * getter, and one time in ten are a hostile value instead of an object.
 */
export function optionsOf(fields: Schema, hooks: readonly string[] = []): fc.Arbitrary<unknown> {
  const values: Schema = {};
  for (const [k, good] of Object.entries(fields)) {
    const hostile = hooks.includes(k) ? hostileData : hostileValue;
    values[k] = fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: hostile });
  }
  const clean = fc.record(fields, { requiredKeys: [] });
  const record = fc.record(values, { requiredKeys: [] });
  // One object in four gains an extra key; one in six (with THROWING_READS) a throwing getter.
  const decorated = fc
    .tuple(record, fc.nat(3), extraKey, hostileValue, fc.nat(5), fc.nat())
    .map(([o, extraDice, key, value, getterDice, getterAt]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) out[k] = v;
      if (extraDice === 0) {
        Object.defineProperty(out, key, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      const keys = Object.keys(out);
      if (THROWING_READS && getterDice === 0 && keys.length > 0)
        throwingGetter(keys[getterAt % keys.length], out);
      return out;
    });
  return fc.oneof(
    { weight: 10, arbitrary: clean },
    { weight: 9, arbitrary: decorated },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(null, undefined, NaN), hostileValue) },
  );
}

/** A list of `item`s, sometimes holding a hostile entry. */
export function listOf(item: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.array(
    fc.oneof({ weight: 5, arbitrary: item }, { weight: 1, arbitrary: hostileValue }),
    {
      maxLength: 4,
    },
  );
}

/** Mostly one of `valid`, one time in six one of `edge` (plausible but out of range). */
export function pick(
  valid: readonly unknown[],
  edge: readonly unknown[] = [],
): fc.Arbitrary<unknown> {
  if (edge.length === 0) return fc.constantFrom(...valid);
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...edge) },
  );
}

/** Durations in ms that validators should take, and some at their limits. */
export const goodMs = fc.constantFrom(1, 10, 100, 1_000, 10_000, 2 ** 31 - 1);
/** Small counts. */
export const goodCount = fc.integer({ min: 1, max: 20 });
/** Rates in (0, 1]. */
export const goodRate = fc.constantFrom(0.1, 0.5, 1);
