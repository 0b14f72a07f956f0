import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../src/classify/call-context.js';
import { createGrpcOutcomeClassifier } from '../../src/classify/grpc-outcome.js';
import { GRPC_STATUS, type GrpcStatusName } from '../../src/classify/grpc-status.js';

const context = (): CallContext => ({
  system: 'grpc',
  method: '/a.B/C',
  circuit: '/a.B/C',
  request: { x: 1 },
  metadata: {},
  attempt: 1,
});
const ctx = { callContext: context };
const status = (name: GrpcStatusName, details = 'd') => ({ code: GRPC_STATUS[name], details });

describe('gRPC outcome classifier', () => {
  it('uses the default lists: six failures, CANCELLED ignored, every other code a success', () => {
    const c = createGrpcOutcomeClassifier({});
    const verdicts = Object.fromEntries(
      (Object.keys(GRPC_STATUS) as GrpcStatusName[]).map((n) => [
        n,
        c.judge(status(n), false, false, ctx),
      ]),
    );
    expect(verdicts).toEqual({
      OK: 'success',
      CANCELLED: 'ignore',
      UNKNOWN: 'failure',
      INVALID_ARGUMENT: 'success',
      DEADLINE_EXCEEDED: 'failure',
      NOT_FOUND: 'success',
      ALREADY_EXISTS: 'success',
      PERMISSION_DENIED: 'success',
      RESOURCE_EXHAUSTED: 'failure',
      FAILED_PRECONDITION: 'success',
      ABORTED: 'success',
      OUT_OF_RANGE: 'success',
      UNIMPLEMENTED: 'success',
      INTERNAL: 'failure',
      UNAVAILABLE: 'failure',
      DATA_LOSS: 'failure',
      UNAUTHENTICATED: 'success',
    });
  });

  it('treats a code outside the specification like UNKNOWN', () => {
    expect(
      createGrpcOutcomeClassifier({}).judge({ code: 42, details: '' }, false, false, ctx),
    ).toBe('failure');
  });

  it('replaces the default failures with failOn, by name or number', () => {
    const c = createGrpcOutcomeClassifier({ failOn: ['ABORTED', 14] });
    expect(c.judge(status('ABORTED'), false, false, ctx)).toBe('failure');
    expect(c.judge(status('UNAVAILABLE'), false, false, ctx)).toBe('failure');
    expect(c.judge(status('INTERNAL'), false, false, ctx)).toBe('success');
    expect(c.judge(status('CANCELLED'), false, false, ctx)).toBe('ignore');
  });

  it('lets an explicit failOn beat the default ignore list', () => {
    const c = createGrpcOutcomeClassifier({ failOn: ['CANCELLED'] });
    expect(c.judge(status('CANCELLED'), false, false, ctx)).toBe('failure');
  });

  it('lets ignore win over failOn when both are given', () => {
    const c = createGrpcOutcomeClassifier({ ignore: ['UNAVAILABLE'] });
    expect(c.judge(status('UNAVAILABLE'), false, false, ctx)).toBe('ignore');
    expect(c.judge(status('CANCELLED'), false, false, ctx)).toBe('success');
    const both = createGrpcOutcomeClassifier({ failOn: ['INTERNAL'], ignore: ['INTERNAL'] });
    expect(both.judge(status('INTERNAL'), false, false, ctx)).toBe('ignore');
  });

  it('ignores a call the caller cancelled, whatever the lists and classify say', () => {
    const c = createGrpcOutcomeClassifier({ failOn: ['CANCELLED'], classify: () => 'failure' });
    expect(c.judge(status('CANCELLED'), true, false, ctx)).toBe('ignore');
  });

  it('counts DEADLINE_EXCEEDED from the interceptor’s own timeout as a failure even when ignored', () => {
    const c = createGrpcOutcomeClassifier({ ignore: ['DEADLINE_EXCEEDED'] });
    expect(c.judge(status('DEADLINE_EXCEEDED'), false, false, ctx)).toBe('ignore');
    expect(c.judge(status('DEADLINE_EXCEEDED'), false, true, ctx)).toBe('failure');
  });

  it('asks classify about failed calls only, with a ServiceError-like error and the context', () => {
    const seen: Array<{ code: unknown; details: unknown; method: string }> = [];
    const c = createGrpcOutcomeClassifier({
      classify: (e, context) => {
        const err = e as { code: number; details: string };
        seen.push({ code: err.code, details: err.details, method: context.method });
        return err.details === 'flaky' ? 'ignore' : undefined;
      },
    });
    expect(c.judge(status('OK'), false, false, ctx)).toBe('success');
    expect(c.judge(status('UNAVAILABLE', 'flaky'), false, false, ctx)).toBe('ignore');
    expect(c.judge(status('UNAVAILABLE', 'down'), false, false, ctx)).toBe('failure');
    expect(seen).toEqual([
      { code: 14, details: 'flaky', method: '/a.B/C' },
      { code: 14, details: 'down', method: '/a.B/C' },
    ]);
  });

  it('counts a call as a failure when classify throws, and falls back to the lists on junk', () => {
    const throwing = createGrpcOutcomeClassifier({
      classify: () => {
        throw new Error('bug');
      },
    });
    expect(throwing.judge(status('NOT_FOUND'), false, false, ctx)).toBe('failure');
    const junk = createGrpcOutcomeClassifier({ classify: () => 'maybe' as never });
    expect(junk.judge(status('NOT_FOUND'), false, false, ctx)).toBe('success');
  });

  it('never builds the context when there is no classify', () => {
    let built = 0;
    const c = createGrpcOutcomeClassifier({});
    c.judge(status('INTERNAL'), false, false, {
      callContext: () => {
        built++;
        return context();
      },
    });
    expect(built).toBe(0);
  });

  it('gives classify an Error whose message has the code, its name and the details', () => {
    const messages: string[] = [];
    const c = createGrpcOutcomeClassifier({
      classify: (e) => {
        expect(e).toBeInstanceOf(Error);
        messages.push((e as Error).message);
        return undefined;
      },
    });
    c.judge(status('UNAVAILABLE', 'connection refused'), false, false, ctx);
    c.judge({ code: 42, details: 'odd' }, false, false, ctx);
    expect(messages).toEqual(['14 UNAVAILABLE: connection refused', '42 UNKNOWN: odd']);
  });

  it('applies the own-deadline rule to DEADLINE_EXCEEDED only', () => {
    const c = createGrpcOutcomeClassifier({ ignore: ['UNAVAILABLE'] });
    expect(c.judge(status('UNAVAILABLE'), false, true, ctx)).toBe('ignore');
    expect(c.judge(status('OK'), false, true, ctx)).toBe('success');
  });

  it('takes each of the three outcomes from classify over the table', () => {
    const verdicts = { fine: 'success', busy: 'ignore', broken: 'failure' } as const;
    const c = createGrpcOutcomeClassifier({
      classify: (e) => verdicts[(e as { details: keyof typeof verdicts }).details],
    });
    expect(c.judge(status('UNAVAILABLE', 'fine'), false, false, ctx)).toBe('success');
    expect(c.judge(status('UNAVAILABLE', 'busy'), false, false, ctx)).toBe('ignore');
    expect(c.judge(status('NOT_FOUND', 'broken'), false, false, ctx)).toBe('failure');
  });
});
