import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { isConfigError, type ConfigError } from '../../src/core/errors.js';
import { readExecuteOptions } from '../../src/core/execute-abortable.js';

const never = <T>() => new Promise<T>(() => {});

/** The ConfigError `fn` throws (fails the test when it throws nothing or something else). */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(isConfigError(e)).toBe(true);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** A signal-like object that records which listeners were added and removed. */
function recordingSignal() {
  const added: Array<[string, unknown, unknown]> = [];
  const removed: Array<[string, unknown]> = [];
  const signal = {
    aborted: false,
    reason: undefined as unknown,
    addEventListener(type: string, listener: unknown, options: unknown) {
      added.push([type, listener, options]);
    },
    removeEventListener(type: string, listener: unknown) {
      removed.push([type, listener]);
    },
  };
  return { signal: signal as unknown as AbortSignal, added, removed };
}

describe('readExecuteOptions', () => {
  it('ignores keys it does not know and keeps the ones it does', () => {
    const signal = new AbortController().signal;
    const classify = () => 'success' as const;
    expect(readExecuteOptions({ signal, timeoutMs: 5, classify, retries: 3 })).toEqual({
      signal,
      timeoutMs: 5,
      classify,
    });
    expect(readExecuteOptions({ timeoutMs: 2147483647 }).timeoutMs).toBe(2147483647);
  });

  it('names the option whose getter threw', () => {
    const o = Object.defineProperty({}, 'timeoutMs', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(configErrorOf(() => readExecuteOptions(o)).path).toBe('timeoutMs');
  });

  it('accepts a signal-like object with addEventListener and a boolean aborted', () => {
    const { signal } = recordingSignal();
    expect(readExecuteOptions({ signal }).signal).toBe(signal);
  });

  it('rejects a signal that is null, a function, or lacks addEventListener or aborted', () => {
    const fn = Object.assign(() => 1, { addEventListener() {}, aborted: false });
    for (const signal of [null, 'signal', fn, { aborted: false }, { addEventListener() {} }]) {
      const e = configErrorOf(() => readExecuteOptions({ signal }));
      expect(e.path).toBe('signal');
      expect(e.message).toMatch(/^signal must be an AbortSignal; got /);
    }
    const unreadable = Object.defineProperty({ aborted: false }, 'addEventListener', {
      get() {
        throw new Error('boom');
      },
    });
    expect(configErrorOf(() => readExecuteOptions({ signal: unreadable })).path).toBe('signal');
  });

  it('rejects a timeout of 0 or above 2^31 - 1 ms', () => {
    expect(configErrorOf(() => readExecuteOptions({ timeoutMs: 2147483648 })).message).toBe(
      'timeoutMs must be a number in (0, 2147483647]; got 2147483648',
    );
    expect(configErrorOf(() => readExecuteOptions({ timeoutMs: '5' })).path).toBe('timeoutMs');
  });
});

describe('executeAbortable', () => {
  it('removes its abort listener, added once, when the call ends', async () => {
    const c = new CircuitBreaker('c');
    const { signal, added, removed } = recordingSignal();
    await expect(c.execute(async () => 7, { signal })).resolves.toBe(7);
    expect(added).toHaveLength(1);
    expect(added[0]![0]).toBe('abort');
    expect(added[0]![2]).toEqual({ once: true });
    expect(removed).toEqual([['abort', added[0]![1]]]);
    expect(c.snapshot().counts.successes).toBe(1);
  });

  it('records a call once: an answer after the caller aborted is dropped', async () => {
    const c = new CircuitBreaker('c');
    const caller = new AbortController();
    let answer: (v: number) => void = () => {};
    const call = c.execute(() => new Promise<number>((r) => (answer = r)), {
      signal: caller.signal,
    });
    caller.abort(new Error('gave up'));
    await expect(call).rejects.toThrow('gave up');
    answer(1);
    await new Promise((r) => setImmediate(r));
    expect(c.snapshot().counts).toMatchObject({ successes: 0, failures: 0, ignored: 1 });
  });

  it('fails a call that took longer than timeoutMs with a TimeoutError naming the circuit', async () => {
    const c = new CircuitBreaker('billing');
    const call = c.execute(() => never(), { timeoutMs: 1 });
    await expect(call).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'circuit "billing": the call took longer than 1 ms',
    });
    expect(c.snapshot().counts.failures).toBe(1);
  });

  it('counts a synchronous throw of fn as a failure, or as its classifier says', async () => {
    const c = new CircuitBreaker('c');
    const err = new Error('sync');
    const throws = (): Promise<never> => {
      throw err;
    };
    await expect(c.execute(throws, { timeoutMs: 1000 })).rejects.toBe(err);
    expect(c.snapshot().counts.failures).toBe(1);
    await expect(c.execute(throws, { timeoutMs: 1000, classify: () => 'ignore' })).rejects.toBe(
      err,
    );
    expect(c.snapshot().counts).toMatchObject({ failures: 1, ignored: 1 });
  });

  it('counts a value as a success when no classifier is given', async () => {
    const c = new CircuitBreaker('c');
    await expect(c.execute(async () => 'ok', { timeoutMs: 1000 })).resolves.toBe('ok');
    expect(c.snapshot().counts).toMatchObject({ successes: 1, failures: 0, ignored: 0 });
  });
});
