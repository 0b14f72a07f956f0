import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import type { CircuitPolicy } from '../../src/core/policy.js';
import type { Outcome } from '../../src/core/types.js';

function setup(policy: CircuitPolicy = {}) {
  const clock = new ManualClock(1_000);
  const events: string[] = [];
  const breaker = new CircuitBreaker('svc/method', policy, {
    clock,
    observer: { stateChange: (_n, from, to) => events.push(`${from}->${to}`) },
  });
  const call = (outcome: Outcome, durationMs?: number) => {
    const p = breaker.tryAcquire();
    if (!p) return false;
    p.record(outcome, durationMs);
    return true;
  };
  return { clock, breaker, events, call };
}

describe('CircuitBreaker', () => {
  it('starts closed and lets calls through', () => {
    const { breaker, call } = setup();
    expect(breaker.state).toBe('closed');
    expect(call('success')).toBe(true);
  });

  it('opens after 5 consecutive failures by default', () => {
    const { breaker, call } = setup();
    for (let i = 0; i < 4; i++) call('failure');
    expect(breaker.state).toBe('closed');
    call('failure');
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastTripReason).toBe('consecutive-failures');
  });

  it('resets the consecutive count on a success', () => {
    const { breaker, call } = setup({ trip: { consecutiveFailures: 3 } });
    call('failure');
    call('failure');
    call('success');
    call('failure');
    call('failure');
    expect(breaker.state).toBe('closed');
    call('failure');
    expect(breaker.state).toBe('open');
  });

  it('does not count ignored outcomes either way', () => {
    const { breaker, call } = setup({ trip: { consecutiveFailures: 2 } });
    call('failure');
    call('ignore');
    call('failure');
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().counts.ignored).toBe(1);
  });

  it('rejects calls while open and reports the time left', () => {
    const { breaker, clock, call } = setup({ trip: { consecutiveFailures: 1 }, openMs: 5_000 });
    call('failure');
    clock.advance(2_000);
    expect(breaker.tryAcquire()).toBeUndefined();
    const err = breaker.rejectionError();
    expect(isCircuitOpenError(err)).toBe(true);
    expect(err.code).toBe('CIRCUIT_OPEN');
    expect(err.circuit).toBe('svc/method');
    expect(err.retryAfterMs).toBe(3_000);
    expect(err.reason).toBe('open');
    expect(breaker.snapshot().counts.rejected).toBe(1);
  });

  it('becomes half-open when asked after the open period, with no timer', () => {
    const { breaker, clock, call, events } = setup({
      trip: { consecutiveFailures: 1 },
      openMs: 5_000,
    });
    call('failure');
    clock.advance(4_999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(events).toEqual(['closed->open', 'open->half-open']);
  });

  it('re-opens on a slow probe when slowness opens the circuit (a slow-call rate)', () => {
    const { breaker, clock, call, events } = setup({
      trip: { consecutiveFailures: 1 },
      slowCallMs: 100,
      slowCallRate: 0.5,
      openMs: 1_000,
    });
    call('failure');
    clock.advance(1_000);
    expect(call('success', 150)).toBe(true); // the probe answered, but slowly
    expect(breaker.state).toBe('open');
    clock.advance(1_000);
    expect(call('success', 99)).toBe(true);
    expect(breaker.state).toBe('closed');
    expect(events).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
      'half-open->closed',
    ]);
  });

  it('closes on a slow probe when only slowCallMs is set (slowness is counted, not judged)', () => {
    const { breaker, clock, call } = setup({
      trip: { consecutiveFailures: 1 },
      slowCallMs: 100,
      openMs: 1_000,
    });
    call('failure');
    clock.advance(1_000);
    call('success', 150);
    expect(breaker.state).toBe('closed');
  });

  it('lets exactly halfOpenProbes calls through at once when half-open', () => {
    const { breaker, clock, call } = setup({
      trip: { consecutiveFailures: 1 },
      openMs: 100,
      halfOpenProbes: 3,
      halfOpenSuccesses: 5,
    });
    call('failure');
    clock.advance(100);
    const permits = [1, 2, 3, 4].map(() => breaker.tryAcquire());
    expect(permits.filter(Boolean)).toHaveLength(3);
    expect(breaker.rejectionError().reason).toBe('half-open-full');
    permits[0]!.record('success');
    expect(breaker.tryAcquire()).toBeDefined();
    expect(breaker.state).toBe('half-open');
  });

  it('closes after halfOpenSuccesses successful probes', () => {
    const { breaker, clock, call } = setup({
      trip: { consecutiveFailures: 1 },
      openMs: 100,
      halfOpenProbes: 2,
    });
    call('failure');
    clock.advance(100);
    call('success');
    expect(breaker.state).toBe('half-open');
    call('success');
    expect(breaker.state).toBe('closed');
  });

  it('re-opens on any failed probe', () => {
    const { breaker, clock, call } = setup({
      trip: { consecutiveFailures: 1 },
      openMs: 100,
      halfOpenProbes: 2,
    });
    call('failure');
    clock.advance(100);
    call('success');
    call('failure');
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastTripReason).toBe('half-open-failure');
  });

  it('releases the probe slot on an ignored probe without closing', () => {
    const { breaker, clock, call } = setup({ trip: { consecutiveFailures: 1 }, openMs: 100 });
    call('failure');
    clock.advance(100);
    call('ignore');
    expect(breaker.state).toBe('half-open');
    expect(call('success')).toBe(true);
    expect(breaker.state).toBe('closed');
  });

  it('drops the outcome of a permit issued before a state change', () => {
    const { breaker, call } = setup({ trip: { consecutiveFailures: 1 } });
    const old = breaker.tryAcquire()!;
    call('failure');
    expect(breaker.state).toBe('open');
    breaker.reset();
    const genAfterReset = breaker.generation;
    old.record('failure');
    expect(breaker.state).toBe('closed');
    expect(breaker.generation).toBe(genAfterReset);
  });

  it('ignores a second record on the same permit', () => {
    const { breaker } = setup({ trip: { consecutiveFailures: 2 } });
    const p = breaker.tryAcquire()!;
    p.record('failure');
    p.record('failure');
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().counts.failures).toBe(1);
  });

  it('opens at the failure rate over a count window once minimumCalls is reached', () => {
    const { breaker, call } = setup({
      trip: { failureRate: 0.5, minimumCalls: 4, windowCalls: 4 },
    });
    call('failure');
    call('failure');
    call('failure');
    expect(breaker.state).toBe('closed');
    call('success');
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastTripReason).toBe('failure-rate');
  });

  it('forgets calls that slide out of a count window', () => {
    const { breaker, call } = setup({
      trip: { failureRate: 0.5, minimumCalls: 4, windowCalls: 4 },
    });
    call('failure');
    for (let i = 0; i < 4; i++) call('success');
    call('failure');
    expect(breaker.snapshot().window).toMatchObject({ calls: 4, failures: 1 });
    expect(breaker.state).toBe('closed');
  });

  it('opens at the failure rate over a time window and forgets expired calls', () => {
    const { breaker, clock, call } = setup({
      trip: { failureRate: 0.5, minimumCalls: 4, windowMs: 1_000 },
    });
    call('failure');
    call('failure');
    call('failure');
    clock.advance(1_100);
    call('failure');
    expect(breaker.snapshot().window.calls).toBe(1);
    expect(breaker.state).toBe('closed');
    call('failure');
    call('success');
    call('failure');
    expect(breaker.state).toBe('open');
  });

  it('opens at the slow-call rate even when every call succeeds', () => {
    const { breaker, call } = setup({
      trip: { failureRate: 1, minimumCalls: 4, windowCalls: 10 },
      slowCallMs: 200,
      slowCallRate: 0.5,
    });
    call('success', 10);
    call('success', 250);
    call('success', 10);
    expect(breaker.state).toBe('closed');
    call('success', 300);
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastTripReason).toBe('slow-call-rate');
  });

  it('counts calls still in flight past slowCallMs as slow and opens before they finish', () => {
    const { breaker, clock } = setup({
      trip: { consecutiveFailures: 5 },
      slowCallMs: 100,
      slowCallRate: 0.5,
    });
    const hung = Array.from({ length: 10 }, () => breaker.tryAcquire()!);
    expect(hung.every(Boolean)).toBe(true);
    clock.advance(99);
    expect(breaker.tryAcquire()).toBeDefined();
    clock.advance(1);
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastTripReason).toBe('slow-call-rate');
    hung.forEach((p) => p.record('failure'));
    expect(breaker.inFlight).toBe(1);
  });

  it('grows the open time by backoff across re-opens and resets it after closing', () => {
    const { breaker, clock, call } = setup({
      trip: { consecutiveFailures: 1 },
      openMs: { initialMs: 100, maxMs: 350, multiplier: 2 },
    });
    call('failure');
    expect(breaker.snapshot().retryAfterMs).toBe(100);
    clock.advance(100);
    call('failure');
    expect(breaker.snapshot().retryAfterMs).toBe(200);
    clock.advance(200);
    call('failure');
    expect(breaker.snapshot().retryAfterMs).toBe(350);
    clock.advance(350);
    call('success');
    expect(breaker.state).toBe('closed');
    call('failure');
    expect(breaker.snapshot().retryAfterMs).toBe(100);
  });

  it('shortens the open time by at most the jitter share', () => {
    for (let i = 0; i < 50; i++) {
      const { breaker, call } = setup({
        trip: { consecutiveFailures: 1 },
        openMs: { initialMs: 1_000, maxMs: 1_000, jitter: 0.3 },
      });
      call('failure');
      const left = breaker.snapshot().retryAfterMs;
      expect(left).toBeGreaterThanOrEqual(700);
      expect(left).toBeLessThanOrEqual(1_000);
    }
  });

  it('rejects calls beyond maxConcurrent without counting them as failures', () => {
    const { breaker } = setup({ maxConcurrent: 2 });
    const a = breaker.tryAcquire();
    const b = breaker.tryAcquire();
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.rejectionError().reason).toBe('bulkhead');
    expect(breaker.snapshot().counts.failures).toBe(0);
    expect(breaker.state).toBe('closed');
    a!.record('success');
    expect(breaker.tryAcquire()).toBeDefined();
    b!.record('success');
  });

  it('frees a bulkhead slot when a permit from an older generation finishes', () => {
    const { breaker } = setup({ maxConcurrent: 1 });
    const a = breaker.tryAcquire()!;
    breaker.forceOpen();
    breaker.reset();
    expect(breaker.tryAcquire()).toBeUndefined();
    a.record('success');
    expect(breaker.tryAcquire()).toBeDefined();
  });

  it('rejects every call when forced open until reset', () => {
    const { breaker, clock } = setup({ openMs: 10 });
    breaker.forceOpen();
    clock.advance(1_000_000);
    expect(breaker.state).toBe('forced-open');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.rejectionError()).toMatchObject({
      reason: 'forced-open',
      retryAfterMs: Infinity,
    });
    breaker.reset();
    expect(breaker.state).toBe('closed');
  });

  it('lets every call through and counts nothing towards opening when disabled', () => {
    const { breaker, call } = setup({ trip: { consecutiveFailures: 1 } });
    breaker.disable();
    for (let i = 0; i < 10; i++) call('failure');
    expect(breaker.state).toBe('disabled');
    breaker.reset();
    expect(breaker.state).toBe('closed');
  });

  it('reset forgets the failure history', () => {
    const { breaker, call } = setup({ trip: { consecutiveFailures: 2 } });
    call('failure');
    breaker.reset();
    call('failure');
    expect(breaker.state).toBe('closed');
  });

  it('execute counts a throw as a failure and a value as a success', async () => {
    const { breaker } = setup({ trip: { consecutiveFailures: 2 } });
    await expect(breaker.execute(async () => 42)).resolves.toBe(42);
    await expect(breaker.execute(async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(breaker.execute(async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(breaker.execute(async () => 1)).rejects.toSatisfy(isCircuitOpenError);
    expect(breaker.snapshot().counts).toMatchObject({ successes: 1, failures: 2, rejected: 1 });
  });

  it('execute counts a synchronous throw from fn as a failure and rejects', async () => {
    const { breaker } = setup({ trip: { consecutiveFailures: 1 } });
    await expect(
      breaker.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(breaker.state).toBe('open');
    expect(breaker.inFlight).toBe(0);
  });

  it('execute drops the outcome of a call started before a state change', async () => {
    const { breaker } = setup({ trip: { consecutiveFailures: 1 } });
    let fail!: (e: Error) => void;
    const slow = breaker.execute(() => new Promise((_, reject) => (fail = reject)));
    breaker.forceOpen();
    breaker.reset();
    fail(new Error('late'));
    await expect(slow).rejects.toThrow('late');
    expect(breaker.state).toBe('closed');
    expect(breaker.snapshot().counts.failures).toBe(1);
    expect(breaker.inFlight).toBe(0);
  });

  it('execute uses classify for both errors and values', async () => {
    const { breaker } = setup({ trip: { consecutiveFailures: 1 } });
    const classify = (v: unknown): Outcome =>
      v === 'bad' ? 'failure' : v instanceof Error ? 'ignore' : 'success';
    await breaker
      .execute(async () => Promise.reject(new Error('x')), classify)
      .catch(() => undefined);
    expect(breaker.state).toBe('closed');
    await breaker.execute(async () => 'bad', classify);
    expect(breaker.state).toBe('open');
  });

  it('execute counts a failure when classify throws', async () => {
    const { breaker } = setup({ trip: { consecutiveFailures: 1 } });
    await breaker.execute(
      async () => 1,
      () => {
        throw new Error('classifier bug');
      },
    );
    expect(breaker.state).toBe('open');
  });

  it('runs exactly halfOpenProbes of 1,000 concurrent execute calls when half-open', async () => {
    const { breaker, clock, call } = setup({
      trip: { consecutiveFailures: 1 },
      openMs: 100,
      halfOpenProbes: 3,
    });
    call('failure');
    clock.advance(100);
    let ran = 0;
    const gate: Array<() => void> = [];
    const calls = Array.from({ length: 1_000 }, () =>
      breaker.execute(() => {
        ran++;
        return new Promise<void>((r) => gate.push(r));
      }),
    );
    const settled = Promise.allSettled(calls);
    await Promise.resolve();
    expect(ran).toBe(3);
    gate.forEach((r) => r());
    const results = await settled;
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(
      results.filter((r) => r.status === 'rejected' && isCircuitOpenError(r.reason)),
    ).toHaveLength(997);
    expect(breaker.state).toBe('closed');
  });

  it('snapshot is plain JSON', () => {
    const { breaker, call } = setup();
    call('success', 5);
    const snap = breaker.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toMatchObject({
      name: 'svc/method',
      state: 'closed',
      openUntil: null,
      inFlight: 0,
    });
  });
});
