import { describe, expect, it } from 'vitest';
import { ConfigError, isConfigError } from '../../src/core/errors.js';
import {
  hasMethods,
  MAX_DURATION_MS,
  readEntries,
  readOption,
  readOptions,
  rejectUnknownKeys,
  requireDurationMs,
  requireInteger,
  requirePositive,
  requireRate,
  unreadable,
} from '../../src/core/validate.js';

/** The ConfigError `fn` throws (fails the test when it throws nothing or something else). */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(isConfigError(e)).toBe(true);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const boom = new Error('boom');
const throwingGetter = (key: string): object =>
  Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw boom;
    },
  });
const keysThrow = new Proxy(
  {},
  {
    ownKeys() {
      throw boom;
    },
  },
);

describe('readOptions', () => {
  const known = new Set(['a', 'b']);

  it('copies the known options, own or inherited, into a null-prototype record', () => {
    const inherited = Object.create({ b: 2 }) as Record<string, unknown>;
    inherited.a = 1;
    const out = readOptions(inherited, known, 'circuit');
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect({ ...out }).toEqual({ a: 1, b: 2 });
    expect('b' in readOptions({ a: 1 }, known, 'circuit')).toBe(false);
  });

  it('rejects a non-object naming the path, or "options" when the path is empty', () => {
    expect(configErrorOf(() => readOptions(5, known, 'circuit')).message).toBe(
      'circuit must be an object; got 5',
    );
    expect(configErrorOf(() => readOptions([], known, '')).message).toBe(
      'options must be an object; got []',
    );
    expect(
      configErrorOf(() => readOptions(null, known, 'x', 'reject', 'must be a map')).message,
    ).toBe('x must be a map; got null');
  });

  it('rejects an unknown own key naming its full path, unless told to ignore it', () => {
    const e = configErrorOf(() => readOptions({ a: 1, c: 3 }, known, 'circuit'));
    expect(e.message).toBe('circuit.c is not a known option; got 3');
    expect(e.path).toBe('circuit.c');
    expect(configErrorOf(() => readOptions({ c: 3 }, known, '')).path).toBe('c');
    expect({ ...readOptions({ a: 1, c: 3 }, known, 'circuit', 'ignore') }).toEqual({ a: 1 });
  });

  it('turns a throwing getter into a ConfigError naming the option, with the cause', () => {
    const e = configErrorOf(() => readOptions(throwingGetter('a'), known, 'circuit'));
    expect(e.path).toBe('circuit.a');
    expect(e.message).toBe(
      'circuit.a could not be read (a getter or Proxy threw); got Error: boom',
    );
    expect(e.cause).toBe(boom);
    expect(configErrorOf(() => readOptions(throwingGetter('b'), known, '', 'ignore')).path).toBe(
      'b',
    );
  });

  it('names the object itself when its keys cannot be listed', () => {
    expect(configErrorOf(() => readOptions(keysThrow, known, 'circuit')).path).toBe('circuit');
    expect(configErrorOf(() => readOptions(keysThrow, known, '')).path).toBe('options');
  });
});

describe('readEntries', () => {
  it('returns the own enumerable pairs', () => {
    expect(readEntries({ x: 1, y: 'b' }, 'methods')).toEqual([
      ['x', 1],
      ['y', 'b'],
    ]);
  });

  it('names the key whose getter threw, or the map when its keys cannot be listed', () => {
    const e = configErrorOf(() => readEntries(throwingGetter('get'), 'methods'));
    expect(e.path).toBe('methods["get"]');
    expect(e.cause).toBe(boom);
    expect(configErrorOf(() => readEntries(keysThrow, 'methods')).path).toBe('methods');
  });
});

describe('hasMethods', () => {
  it('is true only when every named member is a function', () => {
    const client = { now: () => 1, close() {} };
    expect(hasMethods(client, 'clock', 'now', 'close')).toBe(true);
    expect(hasMethods(client, 'clock', 'now', 'open')).toBe(false);
    expect(hasMethods({ now: 1 }, 'clock', 'now')).toBe(false);
  });

  it('accepts a function carrying the methods', () => {
    const fn = Object.assign(() => 1, { now: () => 1 });
    expect(hasMethods(fn, 'clock', 'now')).toBe(true);
  });

  it('is false for null, undefined and primitives, even those whose prototype has the method', () => {
    expect(hasMethods(null, 'clock', 'now')).toBe(false);
    expect(hasMethods(undefined, 'clock', 'now')).toBe(false);
    expect(hasMethods('text', 'clock', 'trim')).toBe(false);
    expect(hasMethods(5, 'clock', 'toFixed')).toBe(false);
  });

  it('turns a throwing getter into a ConfigError naming the path', () => {
    const e = configErrorOf(() => hasMethods(throwingGetter('now'), 'circuit.clock', 'now'));
    expect(e.path).toBe('circuit.clock');
    expect(e.cause).toBe(boom);
  });
});

describe('readOption', () => {
  it('reads a member of an object or function', () => {
    expect(readOption({ k: 1 }, 'k', 'p')).toBe(1);
    expect(
      readOption(
        Object.assign(() => 0, { k: 2 }),
        'k',
        'p',
      ),
    ).toBe(2);
  });

  it('is undefined for null, undefined and primitives', () => {
    expect(readOption(null, 'k', 'p')).toBeUndefined();
    expect(readOption(undefined, 'k', 'p')).toBeUndefined();
    expect(readOption('text', 'length', 'p')).toBeUndefined();
    expect(readOption(5, 'toFixed', 'p')).toBeUndefined();
  });

  it('turns a throwing getter into a ConfigError naming the path', () => {
    const e = configErrorOf(() => readOption(throwingGetter('k'), 'k', 'circuit.k'));
    expect(e.path).toBe('circuit.k');
    expect(e.cause).toBe(boom);
  });
});

describe('unreadable', () => {
  it('says the option could not be read and keeps what was thrown as cause', () => {
    const e = unreadable('circuit.trip', boom);
    expect(e.message).toBe(
      'circuit.trip could not be read (a getter or Proxy threw); got Error: boom',
    );
    expect(e.cause).toBe(boom);
  });
});

describe('number validators', () => {
  it('requirePositive accepts finite numbers > 0, or >= 0 when zero is allowed', () => {
    expect(requirePositive(0.5, 'p')).toBe(0.5);
    expect(requirePositive(0, 'p', true)).toBe(0);
    expect(configErrorOf(() => requirePositive(0, 'p')).message).toBe(
      'p must be a finite number > 0; got 0',
    );
    expect(configErrorOf(() => requirePositive(-1, 'p', true)).message).toBe(
      'p must be a finite number >= 0; got -1',
    );
    for (const v of [Infinity, Number.NaN, '1', undefined, -0.1]) {
      expect(configErrorOf(() => requirePositive(v, 'p')).path).toBe('p');
    }
  });

  it('requireInteger accepts integers >= min', () => {
    expect(requireInteger(1, 'n')).toBe(1);
    expect(requireInteger(0, 'n', 0)).toBe(0);
    expect(configErrorOf(() => requireInteger(0, 'n')).message).toBe(
      'n must be an integer >= 1; got 0',
    );
    expect(configErrorOf(() => requireInteger(2, 'n', 3)).message).toBe(
      'n must be an integer >= 3; got 2',
    );
    expect(configErrorOf(() => requireInteger(1.5, 'n')).path).toBe('n');
    expect(configErrorOf(() => requireInteger('2', 'n')).path).toBe('n');
  });

  it('requireRate accepts (0, 1]', () => {
    expect(requireRate(1, 'r')).toBe(1);
    expect(requireRate(0.01, 'r')).toBe(0.01);
    for (const v of [0, 1.01, -0.5, Number.NaN, '0.5']) {
      expect(configErrorOf(() => requireRate(v, 'r')).message).toBe(
        `r must be in (0, 1]; got ${typeof v === 'string' ? `"${v}"` : String(v)}`,
      );
    }
  });

  it('requireDurationMs accepts [min, 2^31 - 1] ms', () => {
    expect(MAX_DURATION_MS).toBe(2 ** 31 - 1);
    expect(requireDurationMs(MAX_DURATION_MS, 'd')).toBe(MAX_DURATION_MS);
    expect(requireDurationMs(10, 'd', 10)).toBe(10);
    expect(configErrorOf(() => requireDurationMs(9, 'd', 10)).message).toBe(
      'd must be >= 10 ms; got 9',
    );
    expect(configErrorOf(() => requireDurationMs(MAX_DURATION_MS + 1, 'd')).message).toBe(
      `d must be <= ${MAX_DURATION_MS} ms; got ${MAX_DURATION_MS + 1}`,
    );
    expect(configErrorOf(() => requireDurationMs(0, 'd')).path).toBe('d');
  });
});

describe('rejectUnknownKeys', () => {
  it('throws on the first key not known, naming its path and value', () => {
    const known = new Set(['a']);
    expect(() => rejectUnknownKeys({ a: 1 }, known, 'circuit')).not.toThrow();
    expect(
      configErrorOf(() => rejectUnknownKeys({ a: 1, bb: 'x' }, known, 'circuit')).message,
    ).toBe('circuit.bb is not a known option; got "x"');
  });
});
