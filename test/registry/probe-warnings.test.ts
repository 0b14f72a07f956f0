import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitRegistry, type WarningEvent } from '../../src/registry/circuit-registry.js';
import { ListenerSet } from '../../src/registry/listener-set.js';
import { ProbeWarnings, withProbeWarning } from '../../src/registry/probe-warnings.js';

const marked = (code: string, message = `${code} happened`) =>
  withProbeWarning(new Error('probe failed'), { code, message });

function warningsHeard(max = 10) {
  const listeners = new ListenerSet<WarningEvent>();
  const heard: WarningEvent[] = [];
  listeners.add((e) => heard.push(e));
  return { warnings: new ProbeWarnings(listeners, max), heard };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('withProbeWarning', () => {
  it('attaches the warning to the error and returns the same error', () => {
    const error = new Error('x');
    const out = withProbeWarning(error, { code: 'C', message: 'm' });
    expect(out).toBe(error);
    expect((out as unknown as { rpcBreakerWarning: unknown }).rpcBreakerWarning).toEqual({
      code: 'C',
      message: 'm',
    });
  });
});

describe('ProbeWarnings', () => {
  it('tells listeners of a warning once per circuit and code', () => {
    const { warnings, heard } = warningsHeard();
    warnings.probeFailed('a', marked('X', 'no health service'));
    warnings.probeFailed('a', marked('X', 'no health service'));
    warnings.probeFailed('a', marked('Y'));
    warnings.probeFailed('b', marked('X', 'again'));
    expect(heard).toStrictEqual([
      { name: 'a', code: 'X', message: 'no health service' },
      { name: 'a', code: 'Y', message: 'Y happened' },
      { name: 'b', code: 'X', message: 'again' },
    ]);
  });

  it('ignores errors that carry no well-formed warning', () => {
    const { warnings, heard } = warningsHeard();
    warnings.probeFailed('a', null);
    warnings.probeFailed('a', undefined);
    warnings.probeFailed('a', new Error('plain'));
    warnings.probeFailed('a', { rpcBreakerWarning: { code: 1, message: 'm' } });
    warnings.probeFailed('a', { rpcBreakerWarning: { code: 'C', message: 2 } });
    warnings.probeFailed('a', { rpcBreakerWarning: { code: 'C' } });
    warnings.probeFailed('a', { rpcBreakerWarning: { message: 'm' } });
    expect(heard).toEqual([]);
  });

  it('copies only the code and message of the warning', () => {
    const { warnings, heard } = warningsHeard();
    warnings.probeFailed('a', { rpcBreakerWarning: { code: 'C', message: 'm', extra: 1 } });
    expect(heard).toStrictEqual([{ name: 'a', code: 'C', message: 'm' }]);
  });

  it('forgets what it warned about once it holds max entries', () => {
    const { warnings, heard } = warningsHeard(2);
    for (const name of ['a', 'b', 'b', 'a', 'c', 'a']) warnings.probeFailed(name, marked('X'));
    expect(heard.map((e) => e.name)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('emits a process warning when nobody listens', () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const warnings = new ProbeWarnings(new ListenerSet<WarningEvent>(), 10);
    warnings.probeFailed('pay', marked('HEALTH_CHECK_UNIMPLEMENTED', 'no health service'));
    warnings.probeFailed('pay', marked('HEALTH_CHECK_UNIMPLEMENTED', 'no health service'));
    expect(emit.mock.calls).toEqual([
      [
        'rpc-breaker: circuit "pay": no health service',
        { type: 'RpcBreakerWarning', code: 'HEALTH_CHECK_UNIMPLEMENTED' },
      ],
    ]);
  });
});

describe('CircuitRegistry.onWarning', () => {
  it('hears the warning a failing health check attached to its error', async () => {
    const clock = new ManualClock();
    const probe = () => Promise.reject(marked('HC', 'no health service'));
    const registry = new CircuitRegistry({
      clock,
      defaults: { trip: { consecutiveFailures: 1 }, openMs: 100, halfOpenProbe: probe },
    });
    const heard: WarningEvent[] = [];
    registry.onWarning((e) => heard.push(e));
    registry.get('a').tryAcquire()?.record('failure');
    clock.advance(100);
    void registry.get('a').state;
    await new Promise((r) => setImmediate(r));
    expect(heard).toStrictEqual([{ name: 'a', code: 'HC', message: 'no health service' }]);
  });
});
