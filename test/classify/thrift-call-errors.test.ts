import { describe, expect, it } from 'vitest';
import {
  ThriftTimeoutError,
  ThriftTransportError,
  isThriftTimeoutError,
  isThriftTransportError,
} from '../../src/classify/thrift-call-errors.js';
import { thriftFailureCategory } from '../../src/classify/thrift-errors.js';

/** An error as another copy of rpc-breaker would make it: a plain Error with the global brand. */
function brandedBy(key: string): Error {
  return Object.defineProperty(new Error('from another copy'), Symbol.for(key), { value: true });
}

describe('ThriftTimeoutError', () => {
  it('carries its name, code, method, deadline and a sentence naming them', () => {
    const e = new ThriftTimeoutError('getItem', 250);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ThriftTimeoutError');
    expect(e.code).toBe('THRIFT_TIMEOUT');
    expect(e.method).toBe('getItem');
    expect(e.timeoutMs).toBe(250);
    expect(e.message).toBe('thrift call getItem got no reply within 250 ms');
  });

  it('is recognised by its global brand, as made by another copy of the package', () => {
    const other = brandedBy('rpc-breaker.ThriftTimeoutError');
    expect(isThriftTimeoutError(other)).toBe(true);
    expect(isThriftTransportError(other)).toBe(false);
    expect(thriftFailureCategory(other)).toBe('timeout');
  });
});

describe('ThriftTransportError', () => {
  it('carries its name, code, method and reason', () => {
    const e = new ThriftTransportError('ping', 'closed');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ThriftTransportError');
    expect(e.code).toBe('THRIFT_TRANSPORT');
    expect(e.method).toBe('ping');
    expect(e.reason).toBe('closed');
  });

  it('says in its message what happened to the connection', () => {
    expect(new ThriftTransportError('ping', 'down').message).toBe(
      'thrift call ping was not sent: the connection is down',
    );
    expect(new ThriftTransportError('ping', 'closed').message).toBe(
      'thrift call ping failed: the connection closed before the reply',
    );
    expect(new ThriftTransportError('ping', 'error').message).toBe(
      'thrift call ping failed: the connection reported an error',
    );
  });

  it('adds the message of an Error cause, and keeps the cause', () => {
    const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const e = new ThriftTransportError('ping', 'error', cause);
    expect(e.message).toBe(
      'thrift call ping failed: the connection reported an error (read ECONNRESET)',
    );
    expect(e.cause).toBe(cause);
  });

  it('adds nothing to the message for a cause that is not an Error or has no message', () => {
    expect(new ThriftTransportError('ping', 'closed', 'hang up').message).toBe(
      'thrift call ping failed: the connection closed before the reply',
    );
    expect(new ThriftTransportError('ping', 'closed', new Error('')).message).toBe(
      'thrift call ping failed: the connection closed before the reply',
    );
    expect(new ThriftTransportError('ping', 'closed', 'hang up').cause).toBe('hang up');
  });

  it('has no cause property when given no cause', () => {
    expect(Object.hasOwn(new ThriftTransportError('ping', 'down'), 'cause')).toBe(false);
  });

  it('is recognised by its global brand, as made by another copy of the package', () => {
    const other = brandedBy('rpc-breaker.ThriftTransportError');
    expect(isThriftTransportError(other)).toBe(true);
    expect(isThriftTimeoutError(other)).toBe(false);
    expect(thriftFailureCategory(other)).toBe('transport');
  });
});

describe('Thrift call error guards', () => {
  it('answer false, without throwing, for null, primitives and unbranded errors', () => {
    for (const v of [null, undefined, 'THRIFT_TIMEOUT', 0, new Error('x')]) {
      expect(isThriftTimeoutError(v)).toBe(false);
      expect(isThriftTransportError(v)).toBe(false);
    }
  });

  it('want the brand to be exactly true', () => {
    const key = Symbol.for('rpc-breaker.ThriftTimeoutError');
    expect(isThriftTimeoutError({ [key]: 'yes' })).toBe(false);
  });
});
