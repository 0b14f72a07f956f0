/**
 * Hang detection end to end through the interceptor: a server that stops answering opens the
 * circuit through the slow-call rate while the first hung calls are still in flight, long before
 * any of them reaches its deadline; the hung calls themselves are left alone and end by their
 * own deadline.
 */
import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { runHangLoad, type HangRun } from './helpers/hang-load.js';

expectNoLeakedHandles();

const DEADLINE_MS = 1_000;
/** A count window of 10 calls and a slow-call rate of 0.5: 10 hung calls open the circuit. */
const circuit = {
  trip: { failureRate: 0.5, windowCalls: 10 },
  slowCallMs: 100,
  slowCallRate: 0.5,
  openMs: 10_000,
};

/** Calls started after the hang began that reached the server (not answered by the circuit). */
function hungCalls(run: HangRun) {
  return run.calls.filter((c) => c.startedAt >= run.hangAt && !c.shortCircuited);
}

describe('hang detection through the gRPC interceptor', () => {
  it('opens the circuit within half the deadline of a hang under steady load, before any deadline passes', async () => {
    const run = await runHangLoad({ policy: { timeoutMs: DEADLINE_MS, circuit } });
    expect(run.openedAt).toBeDefined();
    const tripMs = run.openedAt! - run.hangAt;
    expect(run.tripReason).toBe('slow-call-rate');
    expect(tripMs).toBeGreaterThanOrEqual(circuit.slowCallMs);
    // slowCallMs (100) plus a few load intervals; the margin is for a machine with every core
    // busy. What matters is that it is long before the 1 s deadline of the hung calls.
    expect(tripMs).toBeLessThan(DEADLINE_MS / 2);
    // Calls after the opening fail fast on the circuit, without reaching the server.
    const afterOpen = run.calls.filter((c) => c.startedAt > run.openedAt!);
    expect(afterOpen.length).toBeGreaterThan(0);
    for (const c of afterOpen) {
      expect(c.shortCircuited).toBe(true);
      expect(c.code).toBe(grpc.status.UNAVAILABLE);
      expect(c.endedAt - c.startedAt).toBeLessThan(50);
    }
  });

  it('lets the calls already in flight run to their own deadline: DEADLINE_EXCEEDED at ~1 s', async () => {
    const run = await runHangLoad({ policy: { timeoutMs: DEADLINE_MS, circuit } });
    const hung = hungCalls(run);
    // The first wave: every call sent between the hang and the opening, and nothing after it.
    expect(hung.length).toBeGreaterThanOrEqual(10);
    expect(hung.length).toBe(run.hungOnServer);
    expect(hung.every((c) => c.startedAt <= run.openedAt!)).toBe(true);
    for (const c of hung) {
      expect(c.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      const ms = c.endedAt - c.startedAt;
      expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
      expect(ms).toBeLessThan(DEADLINE_MS + 150);
    }
    // Calls answered before the hang were real successes.
    const before = run.calls.filter((c) => c.endedAt < run.hangAt);
    expect(before.length).toBeGreaterThan(5);
    expect(before.every((c) => c.code === grpc.status.OK)).toBe(true);
  });

  it('without a slow-call rate the same load waits for the first deadlines before opening', async () => {
    const run = await runHangLoad({
      policy: {
        timeoutMs: DEADLINE_MS,
        circuit: { trip: circuit.trip, openMs: circuit.openMs },
      },
      maxMs: 200 + DEADLINE_MS + 400,
    });
    expect(run.openedAt).toBeDefined();
    expect(run.tripReason).toBe('failure-rate');
    expect(run.openedAt! - run.hangAt).toBeGreaterThanOrEqual(DEADLINE_MS);
    // Every call of the first deadline reached the hung server and was stuck for all of it:
    // ~100 at this load (one per 10 ms), fewer when a busy machine stretches the interval, and
    // still several times the ~10 the slow-call rate lets through.
    const hung = hungCalls(run);
    expect(hung.length).toBeGreaterThan(25);
    expect(hung.every((c) => c.code === grpc.status.DEADLINE_EXCEEDED)).toBe(true);
  });
});
