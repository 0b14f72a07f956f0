import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { isCircuitOpenError } from '../../src/core/errors.js';

describe('CircuitBreaker slow calls', () => {
  it('counts a call as slow from slowCallMs on, and never without slowCallMs', () => {
    const c = new CircuitBreaker('c', { slowCallMs: 100 });
    expect(c.isSlow(99)).toBe(false);
    expect(c.isSlow(100)).toBe(true);
    expect(c.isSlow(101)).toBe(true);
    expect(new CircuitBreaker('d').isSlow(1e9)).toBe(false);
  });

  it('counts slow calls measured on the clock in the snapshot', () => {
    const clock = new ManualClock();
    const c = new CircuitBreaker('c', { slowCallMs: 100 }, { clock });
    const fast = c.tryAcquire()!;
    clock.advance(99);
    fast.record('success');
    const slow = c.tryAcquire()!;
    clock.advance(100);
    slow.record('failure');
    expect(c.snapshot().counts).toMatchObject({ successes: 1, failures: 1, slow: 1 });
  });
});

describe('CircuitBreaker rejections', () => {
  it('tells how long an open circuit stays open', () => {
    const clock = new ManualClock(1000);
    const c = new CircuitBreaker(
      'c',
      { trip: { consecutiveFailures: 1 }, openMs: 5000 },
      { clock },
    );
    c.tryAcquire()!.record('failure');
    expect(c.state).toBe('open');
    clock.advance(1200);
    expect(c.tryAcquire()).toBeUndefined();
    expect(c.lastRejection()).toEqual({
      reason: 'open',
      retryAfterMs: 3800,
      message: 'circuit "c" is open; retry after 3800 ms',
    });
    const e = c.rejectionError();
    expect(isCircuitOpenError(e)).toBe(true);
    expect(e.retryAfterMs).toBe(3800);
  });

  it('rejects a call beyond maxConcurrent as bulkhead, and frees the slot when a call ends', () => {
    const c = new CircuitBreaker('c', { maxConcurrent: 1 });
    const first = c.tryAcquire()!;
    expect(c.inFlight).toBe(1);
    expect(c.tryAcquire()).toBeUndefined();
    expect(c.lastRejection()).toMatchObject({ reason: 'bulkhead', retryAfterMs: 0 });
    first.record('success');
    expect(c.inFlight).toBe(0);
    expect(c.tryAcquire()).toBeDefined();
  });

  it('rejects every call when forced open, with an endless retry delay, and lets all through when disabled', () => {
    const c = new CircuitBreaker('c', { trip: { consecutiveFailures: 1 } });
    c.forceOpen();
    expect(c.tryAcquire()).toBeUndefined();
    expect(c.lastRejection()).toMatchObject({ reason: 'forced-open', retryAfterMs: Infinity });
    c.disable();
    const p = c.tryAcquire()!;
    p.record('failure');
    expect(c.state).toBe('disabled');
    expect(c.snapshot().counts.failures).toBe(1);
  });

  it('drops a result of an older generation from the trip count', () => {
    const clock = new ManualClock();
    const c = new CircuitBreaker('c', { trip: { consecutiveFailures: 2 } }, { clock });
    const old = c.tryAcquire()!;
    c.forceOpen();
    c.reset();
    expect(c.state).toBe('closed');
    old.record('failure');
    c.tryAcquire()!.record('failure');
    expect(c.state).toBe('closed');
    expect(c.snapshot().counts.failures).toBe(2);
  });
});
