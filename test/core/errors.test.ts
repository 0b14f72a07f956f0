import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError,
  ConfigError,
  describeRejection,
  formatValue,
  isCircuitOpenError,
  isConfigError,
  markCircuitRejection,
} from '../../src/core/errors.js';

describe('CircuitOpenError', () => {
  it('carries its code, name, circuit, retry delay and reason open by default', () => {
    const e = new CircuitOpenError('billing', 1500.2);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('CIRCUIT_OPEN');
    expect(e.name).toBe('CircuitOpenError');
    expect(e.circuit).toBe('billing');
    expect(e.retryAfterMs).toBe(1500.2);
    expect(e.reason).toBe('open');
    expect(e.message).toBe('circuit "billing" is open; retry after 1501 ms');
    expect(isCircuitOpenError(e)).toBe(true);
    expect(isConfigError(e)).toBe(false);
  });

  it('describes each reason in its own sentence', () => {
    expect(new CircuitOpenError('a', Infinity, 'forced-open').message).toBe(
      'circuit "a" is forced open',
    );
    expect(describeRejection('a', 5, 'half-open-full')).toBe(
      'circuit "a" is half-open and its probe calls are in use',
    );
    expect(describeRejection('a', 5, 'bulkhead')).toBe(
      'circuit "a" has reached its maxConcurrent limit',
    );
    expect(describeRejection('a', 4.1, 'open')).toBe('circuit "a" is open; retry after 5 ms');
    expect(describeRejection('a', 0, 'open')).toBe('circuit "a" is open; retry after 0 ms');
  });
});

describe('markCircuitRejection', () => {
  it('adds circuit, retryAfterMs, reason and the brand as own enumerable properties', () => {
    const status = { code: 14, details: 'x' };
    const marked = markCircuitRejection(status, 'users', 250, 'bulkhead');
    expect(marked).toBe(status);
    expect(isCircuitOpenError(marked)).toBe(true);
    const copy = Object.assign(new Error('unavailable'), marked);
    expect(isCircuitOpenError(copy)).toBe(true);
    expect(copy).toMatchObject({
      code: 14,
      circuit: 'users',
      retryAfterMs: 250,
      reason: 'bulkhead',
    });
    expect(Object.keys(marked)).toEqual(['code', 'details', 'circuit', 'retryAfterMs', 'reason']);
  });
});

describe('isCircuitOpenError and isConfigError', () => {
  it('recognise the brands another copy of the package sets', () => {
    const open = { [Symbol.for('rpc-breaker.CircuitOpenError')]: true };
    const config = { [Symbol.for('rpc-breaker.ConfigError')]: true };
    expect(isCircuitOpenError(open)).toBe(true);
    expect(isConfigError(open)).toBe(false);
    expect(isConfigError(config)).toBe(true);
    expect(isCircuitOpenError(config)).toBe(false);
  });

  it('are false for null, primitives, unbranded errors and brands that are not true', () => {
    for (const guard of [isCircuitOpenError, isConfigError]) {
      expect(guard(null)).toBe(false);
      expect(guard(undefined)).toBe(false);
      expect(guard('CircuitOpenError')).toBe(false);
      expect(guard(14)).toBe(false);
      expect(guard(new Error('x'))).toBe(false);
      expect(guard({ code: 'CIRCUIT_OPEN', name: 'CircuitOpenError' })).toBe(false);
    }
    expect(isCircuitOpenError({ [Symbol.for('rpc-breaker.CircuitOpenError')]: 1 })).toBe(false);
    expect(isConfigError({ [Symbol.for('rpc-breaker.ConfigError')]: 'true' })).toBe(false);
  });

  it('are false for a branded function, which is not an object', () => {
    const fn = Object.assign(() => 1, {
      [Symbol.for('rpc-breaker.CircuitOpenError')]: true,
      [Symbol.for('rpc-breaker.ConfigError')]: true,
    });
    expect(isCircuitOpenError(fn)).toBe(false);
    expect(isConfigError(fn)).toBe(false);
  });
});

describe('ConfigError', () => {
  it('carries code, name, path and a message naming the path and the value', () => {
    const cause = new Error('getter threw');
    const e = new ConfigError('circuit.trip.failureRate', 'must be in (0, 1]', 2, { cause });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.name).toBe('ConfigError');
    expect(e.path).toBe('circuit.trip.failureRate');
    expect(e.message).toBe('circuit.trip.failureRate must be in (0, 1]; got 2');
    expect(e.cause).toBe(cause);
    expect(isConfigError(e)).toBe(true);
    expect(isCircuitOpenError(e)).toBe(false);
  });
});

describe('formatValue', () => {
  it('renders primitives as String does', () => {
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue(null)).toBe('null');
    expect(formatValue(2)).toBe('2');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(-Infinity)).toBe('-Infinity');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(false)).toBe('false');
    expect(formatValue(10n)).toBe('10');
    expect(formatValue(Symbol('s'))).toBe('Symbol(s)');
  });

  it('quotes strings and cuts those over 60 characters to 57 and an ellipsis', () => {
    expect(formatValue('fast')).toBe('"fast"');
    expect(formatValue('')).toBe('""');
    const sixty = 'x'.repeat(60);
    expect(formatValue(sixty)).toBe(JSON.stringify(sixty));
    expect(formatValue('y'.repeat(61))).toBe(`"${'y'.repeat(57)}..."`);
  });

  it('names functions, anonymous ones too', () => {
    function classify(): void {}
    expect(formatValue(classify)).toBe('function classify');
    const anonymous = [(): number => 1][0];
    expect(formatValue(anonymous)).toBe('function (anonymous)');
  });

  it('renders an error as its name and message', () => {
    expect(formatValue(new TypeError('bad'))).toBe('TypeError: bad');
  });

  it('renders objects as JSON, cut over 80 characters to 77 and an ellipsis', () => {
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue([1, 'b'])).toBe('[1,"b"]');
    const eighty = { k: 'z'.repeat(72) };
    expect(JSON.stringify(eighty)).toHaveLength(80);
    expect(formatValue(eighty)).toBe(JSON.stringify(eighty));
    const long = { k: 'z'.repeat(100) };
    expect(formatValue(long)).toBe(`${JSON.stringify(long).slice(0, 77)}...`);
  });

  it('falls back to the object tag for values JSON cannot render', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(formatValue(circular)).toBe('[object Object]');
    expect(formatValue({ n: 1n })).toBe('[object Object]');
  });

  it('never throws, even for a Proxy whose traps throw', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(formatValue(hostile)).toBe('an unreadable object');
  });
});
