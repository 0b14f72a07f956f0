import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/classify/call-context.js';
import { createThriftOutcomeClassifier } from '../../src/classify/thrift-outcome.js';
import { ThriftTimeoutError, ThriftTransportError } from '../../src/classify/thrift-call-errors.js';
import { genEs6, thrift } from '../thrift/helpers/generated.js';

const { Thrift } = thrift;
const { NotFound, Overloaded } = genEs6.types;

const context = (): CallContext => ({
  system: 'thrift',
  method: 'getItem',
  circuit: 'Catalog/getItem',
  request: ['a'],
  metadata: {},
  attempt: 1,
});

const samples = {
  transport: new ThriftTransportError('getItem', 'closed'),
  timeout: new ThriftTimeoutError('getItem', 100),
  application: new Thrift.TApplicationException(0, 'boom'),
  protocol: new Thrift.TProtocolException(Thrift.TProtocolExceptionType.INVALID_DATA, 'x'),
  notFound: new NotFound({ id: 'a' }),
  overloaded: new Overloaded({ reason: 'busy', retryAfterMs: 1 }),
};

function verdicts(c: ReturnType<typeof createThriftOutcomeClassifier>) {
  return Object.fromEntries(Object.entries(samples).map(([k, e]) => [k, c.judge(e, context)]));
}

describe('Thrift outcome classifier', () => {
  it('fails on transport, timeout, application and protocol; declared exceptions succeed', () => {
    expect(verdicts(createThriftOutcomeClassifier({}))).toEqual({
      transport: 'failure',
      timeout: 'failure',
      application: 'failure',
      protocol: 'failure',
      notFound: 'success',
      overloaded: 'success',
    });
  });

  it('counts a generated exception class listed in failOn, and replaces the default list', () => {
    const c = createThriftOutcomeClassifier({ failOn: ['timeout', Overloaded] });
    expect(verdicts(c)).toEqual({
      transport: 'success',
      timeout: 'failure',
      application: 'success',
      protocol: 'success',
      notFound: 'success',
      overloaded: 'failure',
    });
  });

  it('lets ignore win over failOn, so one declared class can be exempted', () => {
    const c = createThriftOutcomeClassifier({
      failOn: ['declared', 'transport'],
      ignore: [NotFound],
    });
    expect(c.judge(samples.overloaded, context)).toBe('failure');
    expect(c.judge(samples.notFound, context)).toBe('ignore');
    expect(c.judge(samples.transport, context)).toBe('failure');
  });

  it('asks classify first and falls back to the lists when it returns undefined', () => {
    const seen: unknown[] = [];
    const c = createThriftOutcomeClassifier({
      classify: (e, ctx) => {
        seen.push(ctx.method);
        return e instanceof Overloaded ? 'failure' : undefined;
      },
    });
    expect(c.judge(samples.overloaded, context)).toBe('failure');
    expect(c.judge(samples.application, context)).toBe('failure');
    expect(c.judge(samples.notFound, context)).toBe('success');
    expect(seen).toEqual(['getItem', 'getItem', 'getItem']);
  });

  it('counts a call as a failure when classify throws', () => {
    const c = createThriftOutcomeClassifier({
      classify: () => {
        throw new Error('bug in classify');
      },
    });
    expect(c.judge(samples.notFound, context)).toBe('failure');
  });

  it('takes success and ignore from classify as readily as failure', () => {
    const c = createThriftOutcomeClassifier({
      classify: (e) => (e === samples.transport ? 'success' : 'ignore'),
    });
    expect(c.judge(samples.transport, context)).toBe('success');
    expect(c.judge(samples.timeout, context)).toBe('ignore');
  });

  it('falls back to the lists when classify returns something other than an outcome', () => {
    for (const junk of ['maybe', 'FAILURE', 1, null]) {
      const c = createThriftOutcomeClassifier({ classify: () => junk as never });
      expect(c.judge(samples.transport, context)).toBe('failure');
      expect(c.judge(samples.notFound, context)).toBe('success');
    }
  });
});
