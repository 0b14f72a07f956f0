import { describe, expect, it } from 'vitest';
import type { CircuitSync } from '../../src/core/circuit-sync.js';
import { ManualClock } from '../../src/core/clock.js';
import { HalfOpenGate } from '../../src/core/half-open-gate.js';
import { resolveCircuitPolicy, type CircuitPolicy } from '../../src/core/policy.js';

/** Lets pending promise callbacks run (no time passes on any clock). */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface LeaseRequest {
  generation: number;
  wanted: number;
  ttlMs: number;
  grant: (granted: number) => void;
}

/** A gate with an owner that, like a circuit, leaves half-open on a verdict. */
function setup(policy: CircuitPolicy) {
  const clock = new ManualClock();
  const verdicts: boolean[] = [];
  const errors: unknown[] = [];
  const leases: LeaseRequest[] = [];
  const owner = {
    generation: 1,
    onProbeResult(ok: boolean) {
      verdicts.push(ok);
      gate.close();
      owner.generation++;
    },
    onProbeError(error: unknown) {
      errors.push(error);
    },
  };
  const sync = {
    leaseProbes(generation: number, wanted: number, ttlMs: number, grant: (n: number) => void) {
      leases.push({ generation, wanted, ttlMs, grant });
    },
  } as unknown as CircuitSync;
  const gate = new HalfOpenGate(resolveCircuitPolicy(policy), owner, 'inventory', clock);
  return { clock, gate, owner, sync, verdicts, errors, leases };
}

describe('HalfOpenGate without a shared store', () => {
  it('lets halfOpenProbes calls through and closes after halfOpenSuccesses successes', () => {
    const { gate, verdicts } = setup({ halfOpenProbes: 2 });
    gate.open(0, undefined);
    expect(gate.tryTakeSlot(0)).toBe(true);
    expect(gate.tryTakeSlot(0)).toBe(true);
    expect(gate.tryTakeSlot(0)).toBe(false);
    gate.settleProbe('success');
    expect(verdicts).toEqual([]);
    gate.settleProbe('success');
    expect(verdicts).toEqual([true]);
  });

  it('frees a slot on an ignored result without counting it, and re-opens on a failure', () => {
    const { gate, verdicts } = setup({ halfOpenProbes: 1 });
    gate.open(0, undefined);
    expect(gate.tryTakeSlot(0)).toBe(true);
    gate.settleProbe('ignore');
    expect(verdicts).toEqual([]);
    expect(gate.tryTakeSlot(0)).toBe(true);
    gate.settleProbe('failure');
    expect(verdicts).toEqual([false]);
  });

  it('never counts fewer than zero slots in use', () => {
    const { gate } = setup({ halfOpenProbes: 2 });
    gate.open(0, undefined);
    gate.settleProbe('ignore');
    expect(gate.tryTakeSlot(0)).toBe(true);
    expect(gate.tryTakeSlot(0)).toBe(true);
    expect(gate.tryTakeSlot(0)).toBe(false);
  });

  it('lets nothing through before it opens or after it closes', () => {
    const { gate } = setup({ halfOpenProbes: 2 });
    expect(gate.tryTakeSlot(1e9)).toBe(false);
    gate.open(0, undefined);
    gate.close();
    expect(gate.tryTakeSlot(0)).toBe(false);
  });
});

describe('HalfOpenGate with a shared store', () => {
  it('leases slots on the first call, for the longest open time but at least 10 s', () => {
    const { gate, sync, leases } = setup({ halfOpenProbes: 2, openMs: 1000 });
    gate.open(0, sync);
    expect(leases).toHaveLength(0);
    expect(gate.tryTakeSlot(5)).toBe(false);
    expect(leases).toMatchObject([{ generation: 1, wanted: 2, ttlMs: 10_000 }]);
    leases[0]!.grant(5);
    expect(gate.tryTakeSlot(5)).toBe(true);
    expect(gate.tryTakeSlot(5)).toBe(true);
    expect(gate.tryTakeSlot(5)).toBe(false);
    expect(leases).toHaveLength(1);

    const long = setup({ openMs: { initialMs: 1000, maxMs: 60_000 } });
    long.gate.open(0, long.sync);
    long.gate.tryTakeSlot(0);
    expect(long.leases[0]!.ttlMs).toBe(60_000);
  });

  it('asks again for a lease that yielded nothing once its TTL has passed, not while pending', () => {
    const { gate, sync, leases } = setup({ halfOpenProbes: 1, openMs: 1000 });
    gate.open(0, sync);
    gate.tryTakeSlot(100);
    gate.tryTakeSlot(20_000);
    expect(leases).toHaveLength(1);
    leases[0]!.grant(0);
    expect(gate.tryTakeSlot(10_099)).toBe(false);
    expect(leases).toHaveLength(1);
    expect(gate.tryTakeSlot(10_100)).toBe(false);
    expect(leases).toHaveLength(2);
    leases[1]!.grant(-3);
    expect(gate.tryTakeSlot(10_100)).toBe(false);
  });

  it('drops a grant that arrives after the gate closed or for an older generation', () => {
    const { gate, owner, sync, leases } = setup({ halfOpenProbes: 2 });
    gate.open(0, sync);
    gate.tryTakeSlot(0);
    gate.close();
    leases[0]!.grant(2);
    expect(gate.tryTakeSlot(0)).toBe(false);

    owner.generation = 2;
    gate.open(0, sync);
    gate.tryTakeSlot(0);
    expect(leases).toHaveLength(2);
    leases[0]!.grant(2);
    expect(gate.tryTakeSlot(0)).toBe(false);
    leases[1]!.grant(2);
    expect(gate.tryTakeSlot(0)).toBe(true);
  });

  it('leases at once when a health check probes', async () => {
    let runs = 0;
    const { gate, sync, leases } = setup({
      halfOpenProbe: () => {
        runs++;
        return new Promise(() => {});
      },
    });
    gate.open(0, sync);
    expect(leases).toHaveLength(1);
    await flush();
    expect(runs).toBe(0);
    leases[0]!.grant(1);
    expect(runs).toBe(1);
  });
});

describe('HalfOpenGate with a health check', () => {
  it('runs the check with the circuit name, one at a time, and never gives calls a slot', async () => {
    const contexts: unknown[] = [];
    const { gate, verdicts } = setup({
      halfOpenSuccesses: 2,
      halfOpenProbe: (ctx) => {
        contexts.push(ctx);
        return Promise.resolve();
      },
    });
    expect(gate.tryTakeSlot(0)).toBe(false);
    expect(contexts).toHaveLength(0);
    gate.open(0, undefined);
    expect(gate.tryTakeSlot(0)).toBe(false);
    expect(contexts).toEqual([{ circuit: 'inventory' }]);
    await flush();
    expect(contexts).toHaveLength(2);
    await flush();
    expect(verdicts).toEqual([true]);
    expect(contexts).toHaveLength(2);
  });

  it('gives calls no slot while a health check probes, even with slots to spare', () => {
    const { gate } = setup({ halfOpenProbes: 3, halfOpenProbe: () => new Promise(() => {}) });
    gate.open(0, undefined);
    expect(gate.tryTakeSlot(0)).toBe(false);
    expect(gate.tryTakeSlot(0)).toBe(false);
  });

  it('re-opens when the check rejects or throws, reporting the error', async () => {
    const err = new Error('down');
    const rejecting = setup({ halfOpenProbe: () => Promise.reject(err) });
    rejecting.gate.open(0, undefined);
    await flush();
    expect(rejecting.verdicts).toEqual([false]);
    expect(rejecting.errors).toEqual([err]);

    const throwing = setup({
      halfOpenProbe: () => {
        throw err;
      },
    });
    throwing.gate.open(0, undefined);
    await flush();
    expect(throwing.verdicts).toEqual([false]);
    expect(throwing.errors).toEqual([err]);
  });

  it('fails a check still pending after halfOpenProbeTimeoutMs and drops its late result', async () => {
    let reject: (e: unknown) => void = () => {};
    const { clock, gate, verdicts, errors } = setup({
      halfOpenProbeTimeoutMs: 500,
      halfOpenProbe: () => new Promise((_, r) => (reject = r)),
    });
    clock.advance(1000);
    gate.open(clock.now(), undefined);
    gate.expireOverdue(1499);
    expect(verdicts).toEqual([]);
    gate.expireOverdue(1500);
    expect(verdicts).toEqual([false]);
    reject(new Error('late'));
    await flush();
    expect(verdicts).toEqual([false]);
    expect(errors).toEqual([]);
  });
});
