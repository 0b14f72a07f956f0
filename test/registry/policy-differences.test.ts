/** Comparing resolved circuit policies, and the warning a conflict raises. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveCircuitPolicy } from '../../src/core/policy.js';
import {
  POLICY_CONFLICT_WARNING,
  policyDifferences,
  warnPolicyConflict,
} from '../../src/registry/policy-conflict.js';

/** policyDifferences over plain records, to reach every kind of value. */
const differ = (a: object, b: object) => policyDifferences(a as never, b as never);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('policyDifferences', () => {
  it('finds none between a policy and itself or an equal one', () => {
    const p = resolveCircuitPolicy({ openMs: { initialMs: 5, maxMs: 50 } });
    expect(policyDifferences(p, p)).toEqual([]);
    expect(
      policyDifferences(p, resolveCircuitPolicy({ openMs: { initialMs: 5, maxMs: 50 } })),
    ).toEqual([]);
  });

  it('names each option whose number, object or presence differs', () => {
    const a = resolveCircuitPolicy({ halfOpenProbes: 1, openMs: 5, slowCallMs: 10 });
    const b = resolveCircuitPolicy({ halfOpenProbes: 2, openMs: 6 });
    expect(policyDifferences(a, b).sort()).toEqual(
      ['halfOpenProbes', 'halfOpenSuccesses', 'openMs', 'slowCallMs'].sort(),
    );
  });

  it('compares objects one level deep, by their keys and values', () => {
    expect(differ({ t: { a: 1 } }, { t: { a: 1 } })).toEqual([]);
    expect(differ({ t: { a: 1 } }, { t: { a: 1, b: 2 } })).toEqual(['t']);
    expect(differ({ t: { a: 1 } }, { t: { a: 2 } })).toEqual(['t']);
  });

  it('never takes an object for a primitive, null or undefined', () => {
    expect(differ({ t: {} }, { t: 5 })).toEqual(['t']);
    expect(differ({ t: 5 }, { t: {} })).toEqual(['t']);
    expect(differ({ t: null }, { t: {} })).toEqual(['t']);
    expect(differ({ t: {} }, { t: null })).toEqual(['t']);
    expect(differ({ t: undefined }, { t: {} })).toEqual(['t']);
    expect(differ({ t: {} }, {})).toEqual(['t']);
  });
});

describe('warnPolicyConflict', () => {
  it('emits one process warning naming the circuit and the options, with a stable code', () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    warnPolicyConflict('pay', ['openMs', 'trip']);
    expect(POLICY_CONFLICT_WARNING).toBe('RPC_BREAKER_POLICY_CONFLICT');
    expect(emit.mock.calls).toEqual([
      [
        'rpc-breaker: circuit "pay" already exists with a different policy (differs in openMs, ' +
          'trip); the policy given now is ignored. Give each distinct policy its own circuit ' +
          'name, or the same policy to every user of the circuit.',
        { type: 'RpcBreakerWarning', code: 'RPC_BREAKER_POLICY_CONFLICT' },
      ],
    ]);
  });
});
