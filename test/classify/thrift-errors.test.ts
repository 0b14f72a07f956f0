import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRIFT_FAILURES,
  isDeclaredThriftException,
  thriftFailureCategory,
  validateThriftFailure,
} from '../../src/classify/thrift-errors.js';
import {
  ThriftTimeoutError,
  ThriftTransportError,
  isThriftTimeoutError,
  isThriftTransportError,
} from '../../src/classify/thrift-call-errors.js';
import { isConfigError } from '../../src/core/errors.js';
import { gen, genEs6, thrift } from '../thrift/helpers/generated.js';
import { closedPort } from '../thrift/helpers/clients.js';

const { Thrift } = thrift;

/** The error Node gives for a connection to a port nothing listens on. */
async function refusedError(): Promise<Error> {
  const port = await closedPort();
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', (e) => {
      s.destroy();
      resolve(e);
    });
  });
}

describe('Thrift failure taxonomy', () => {
  it('recognises declared exceptions of both generated styles, though es6 classes are anonymous', () => {
    const node = new gen.types.NotFound({ id: 'x' });
    const es6 = new genEs6.types.Overloaded({ reason: 'busy', retryAfterMs: 5 });
    expect(es6.constructor.name).toBe('');
    expect(thriftFailureCategory(node)).toBe('declared');
    expect(thriftFailureCategory(es6)).toBe('declared');
    expect(isDeclaredThriftException(es6)).toBe(true);
    expect(node).toBeInstanceOf(Error);
  });

  it('counts TApplicationException and non-Error rejections as application failures', () => {
    const unknownMethod = new Thrift.TApplicationException(
      Thrift.TApplicationExceptionType.UNKNOWN_METHOD,
      'Unknown function nope',
    );
    expect(thriftFailureCategory(unknownMethod)).toBe('application');
    expect(thriftFailureCategory('getItem failed: unknown result')).toBe('application');
    expect(thriftFailureCategory(undefined)).toBe('application');
    expect(isDeclaredThriftException(unknownMethod)).toBe(false);
  });

  it('counts TProtocolException as a protocol failure', () => {
    const e = new Thrift.TProtocolException(Thrift.TProtocolExceptionType.BAD_VERSION, 'bad');
    expect(thriftFailureCategory(e)).toBe('protocol');
  });

  it('counts socket errors and our transport errors as transport failures', async () => {
    const refused = await refusedError();
    expect((refused as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(thriftFailureCategory(refused)).toBe('transport');
    const wrapped = new ThriftTransportError('ping', 'error', refused);
    expect(thriftFailureCategory(wrapped)).toBe('transport');
    expect(wrapped.cause).toBe(refused);
    expect(wrapped.message).toMatch(/ping.*ECONNREFUSED/);
    expect(isThriftTransportError(wrapped)).toBe(true);
    expect(thriftFailureCategory(new ThriftTransportError('ping', 'down'))).toBe('transport');
  });

  it('counts an HTTP status error as transport although thrift makes it a TApplicationException', () => {
    // npm thrift does not export THTTPException; this has its shape and its parent class.
    function THTTPException(this: Error & { statusCode: number }) {
      Thrift.TApplicationException.call(this as never, 7 as never, 'bad status 503');
      this.name = 'THTTPException';
      this.statusCode = 503;
    }
    Object.setPrototypeOf(THTTPException.prototype, Thrift.TApplicationException.prototype);
    const e = new (THTTPException as unknown as new () => Error)();
    expect(e).toBeInstanceOf(Thrift.TApplicationException);
    expect(thriftFailureCategory(e)).toBe('transport');
  });

  it('counts our own deadline as a timeout', () => {
    const e = new ThriftTimeoutError('getItem', 250);
    expect(thriftFailureCategory(e)).toBe('timeout');
    expect(isThriftTimeoutError(e)).toBe(true);
    expect(e.code).toBe('THRIFT_TIMEOUT');
    expect(e.message).toBe('thrift call getItem got no reply within 250 ms');
  });

  it('calls an unexpected plain Error an application failure', () => {
    expect(thriftFailureCategory(new TypeError('boom'))).toBe('application');
  });

  it('fails on transport, timeout, application and protocol by default', () => {
    expect(DEFAULT_THRIFT_FAILURES).toEqual(['transport', 'timeout', 'application', 'protocol']);
  });

  it('calls null and other non-object rejections application failures without throwing', () => {
    for (const v of [null, undefined, 'getItem failed: unknown result', 42, true]) {
      expect(thriftFailureCategory(v)).toBe('application');
    }
  });

  it('counts a bare TException, and a subclass of it without a codec, as declared', () => {
    class Custom extends Thrift.TException {}
    const custom = new Custom('custom');
    expect(custom.name).toBe('Custom');
    expect(thriftFailureCategory(new Thrift.TException('bare'))).toBe('declared');
    expect(thriftFailureCategory(custom)).toBe('declared');
  });

  it('finds a Thrift class along the prototype chain when a subclass gave the error its own name', () => {
    class FrameTooLarge extends Thrift.TProtocolException {}
    const e = new FrameTooLarge(Thrift.TProtocolExceptionType.SIZE_LIMIT, 'frame too large');
    expect(e.name).toBe('FrameTooLarge');
    expect(thriftFailureCategory(e)).toBe('protocol');
  });

  it('falls back to the name property when no class in the chain is a Thrift class', () => {
    const e = Object.assign(new Error('bad frame'), { name: 'TProtocolException' });
    expect(thriftFailureCategory(e)).toBe('protocol');
    expect(thriftFailureCategory({ name: 'TProtocolException' })).toBe('protocol');
    expect(thriftFailureCategory({ name: 42 })).toBe('application');
  });

  it('accepts an object without a prototype', () => {
    expect(thriftFailureCategory(Object.create(null))).toBe('application');
    const named = Object.assign(Object.create(null) as object, { name: 'TProtocolException' });
    expect(thriftFailureCategory(named)).toBe('protocol');
  });

  it('looks at no more than 16 prototypes', () => {
    expect(thriftFailureCategory(chainWithProtocolClassAt(15))).toBe('protocol');
    expect(thriftFailureCategory(chainWithProtocolClassAt(16))).toBe('application');
  });

  it('counts an Error with a generated read/write pair as declared, but not half a pair', () => {
    class LegacyNotFound extends Error {
      read(): void {}
      write(): void {}
    }
    class OnlyRead extends Error {
      read(): void {}
    }
    class OnlyWrite extends Error {
      write(): void {}
    }
    expect(thriftFailureCategory(new LegacyNotFound('x'))).toBe('declared');
    expect(thriftFailureCategory(new OnlyRead('x'))).toBe('application');
    expect(thriftFailureCategory(new OnlyWrite('x'))).toBe('application');
    expect(thriftFailureCategory({ read() {}, write() {} })).toBe('application');
  });
});

describe('Thrift transport errors from Node', () => {
  const transportCodes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'ENETUNREACH',
    'ENETDOWN',
    'ENOTCONN',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EADDRNOTAVAIL',
    'ENOENT',
    'ERR_SOCKET_CLOSED',
    'ERR_STREAM_DESTROYED',
    'ERR_STREAM_WRITE_AFTER_END',
    'ERR_SOCKET_CONNECTION_TIMEOUT',
  ];

  it.each(transportCodes)(
    'counts an error with code %s as transport, even without syscall',
    (code) => {
      expect(thriftFailureCategory(Object.assign(new Error(code), { code }))).toBe('transport');
    },
  );

  it('counts an error with another code and no syscall as an application failure', () => {
    const e = Object.assign(new TypeError('bad argument'), { code: 'ERR_INVALID_ARG_TYPE' });
    expect(thriftFailureCategory(e)).toBe('application');
    expect(thriftFailureCategory(Object.assign(new Error('x'), { code: 14 }))).toBe('application');
  });

  it('counts any Error from a system call as transport, whatever its code', () => {
    const e = Object.assign(new Error('connect EMFILE'), { code: 'EMFILE', syscall: 'connect' });
    expect(thriftFailureCategory(e)).toBe('transport');
    expect(thriftFailureCategory({ code: 'EMFILE', syscall: 'connect' })).toBe('application');
    const numeric = Object.assign(new Error('x'), { syscall: 1 });
    expect(thriftFailureCategory(numeric)).toBe('application');
  });
});

describe('validateThriftFailure', () => {
  it('accepts the five categories and generated exception classes of both styles', () => {
    for (const c of ['transport', 'timeout', 'application', 'protocol', 'declared']) {
      expect(validateThriftFailure(c, 'failOn[0]')).toBe(c);
    }
    expect(validateThriftFailure(gen.types.NotFound, 'x')).toBe(gen.types.NotFound);
    expect(validateThriftFailure(genEs6.types.NotFound, 'x')).toBe(genEs6.types.NotFound);
  });

  it('accepts Error itself and any subclass of it', () => {
    expect(validateThriftFailure(Error, 'x')).toBe(Error);
    expect(validateThriftFailure(TypeError, 'x')).toBe(TypeError);
  });

  it('lists the categories in its error message', () => {
    expect(() => validateThriftFailure('Transport', 'methods["getItem"].failOn[1]')).toThrow(
      `methods["getItem"].failOn[1] must be one of 'transport', 'timeout', 'application', ` +
        `'protocol', 'declared' or a generated exception class; got "Transport"`,
    );
  });

  it('throws ConfigError naming the path and the value for anything else', () => {
    const bad: unknown[] = ['Transport', 'UNAVAILABLE', 14, null, {}, gen.types.Item, () => 1];
    for (const f of bad) {
      let caught: unknown;
      try {
        validateThriftFailure(f, 'methods["getItem"].failOn[1]');
      } catch (e) {
        caught = e;
      }
      expect(isConfigError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(
        /^methods\["getItem"\]\.failOn\[1\] must be one of/,
      );
    }
  });
});

/**
 * An object whose prototype chain has `depth` levels without a constructor of their own, then one
 * whose constructor is a function named `TProtocolException`.
 */
function chainWithProtocolClassAt(depth: number): object {
  const { TProtocolException } = { TProtocolException: function () {} };
  let proto: object = Object.create(Object.prototype, {
    constructor: { value: TProtocolException },
  });
  for (let i = 0; i < depth; i++) proto = Object.create(proto) as object;
  return Object.create(proto) as object;
}
