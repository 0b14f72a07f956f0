import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { ConfigError } from '../../src/core/errors.js';

const never = <T>() => new Promise<T>(() => {});

function breaker(consecutiveFailures = 2) {
  return new CircuitBreaker('c', { trip: { consecutiveFailures } });
}

describe('CircuitBreaker.execute with a signal or a timeout', () => {
  it('hands fn a fresh signal per call, aborted when the caller aborts', async () => {
    const c = breaker();
    const caller = new AbortController();
    const seen: AbortSignal[] = [];
    const run = () =>
      c.execute(
        ({ signal }) => {
          seen.push(signal);
          return never();
        },
        { signal: caller.signal },
      );
    const a = run();
    const b = run();
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[0]).not.toBe(caller.signal);
    const reason = new Error('caller gave up');
    caller.abort(reason);
    await expect(a).rejects.toBe(reason);
    await expect(b).rejects.toBe(reason);
    expect(seen.map((s) => [s.aborted, s.reason])).toEqual([
      [true, reason],
      [true, reason],
    ]);
  });

  it("counts a caller's abort as nothing, even on a circuit about to trip", async () => {
    const c = breaker(1);
    for (let i = 0; i < 5; i++) {
      const caller = new AbortController();
      const call = c.execute(() => never(), { signal: caller.signal });
      caller.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    }
    expect(c.state).toBe('closed');
    expect(c.snapshot().counts).toMatchObject({ ignored: 5, failures: 0 });
    expect(c.inFlight).toBe(0);
  });

  it('does not call fn when the signal is already aborted', async () => {
    const c = breaker();
    let called = false;
    const call = c.execute(
      async () => {
        called = true;
      },
      { signal: AbortSignal.abort('early') },
    );
    await expect(call).rejects.toBe('early');
    expect(called).toBe(false);
    expect(c.snapshot().counts.ignored + c.snapshot().counts.successes).toBe(0);
  });

  it('ends a hung call at timeoutMs as a failure, aborting fn’s signal', async () => {
    const c = breaker(2);
    let inner: AbortSignal | undefined;
    const started = performance.now();
    const call = c.execute(
      ({ signal }) => {
        inner = signal;
        return never();
      },
      { timeoutMs: 30 },
    );
    await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(inner?.aborted).toBe(true);
    expect(c.snapshot().counts.failures).toBe(1);
    await expect(c.execute(() => never(), { timeoutMs: 5 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(c.state).toBe('open');
  });

  it('settles with fn’s own answer before the timeout, classified as usual', async () => {
    const c = breaker();
    await expect(c.execute(async () => 42, { timeoutMs: 10_000 })).resolves.toBe(42);
    const notFound = Object.assign(new Error('no such item'), { code: 5 });
    const classify = (e: unknown) =>
      (e as { code?: number })?.code === 5 ? ('success' as const) : ('failure' as const);
    await expect(
      c.execute(() => Promise.reject(notFound), { timeoutMs: 10_000, classify }),
    ).rejects.toBe(notFound);
    expect(c.snapshot().counts).toMatchObject({ successes: 2, failures: 0 });
    expect(c.inFlight).toBe(0);
  });

  it('rejects with CircuitOpenError without calling fn when the circuit is open', async () => {
    const c = breaker(1);
    c.forceOpen();
    let called = false;
    const call = c.execute(
      async () => {
        called = true;
      },
      { signal: new AbortController().signal, timeoutMs: 100 },
    );
    await expect(call).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(called).toBe(false);
  });

  it('still takes a bare classifier as the second argument, and gives fn a never-aborted signal', async () => {
    const c = breaker(1);
    let signal: AbortSignal | undefined;
    await c
      .execute(
        async (ctx) => {
          signal = ctx.signal;
          throw new Error('business');
        },
        () => 'success',
      )
      .catch(() => {});
    expect(c.state).toBe('closed');
    expect(signal?.aborted).toBe(false);
  });

  it('refuses bad options with ConfigError', async () => {
    const c = breaker();
    const fn = async () => 1;
    for (const [options, message] of [
      [{ timeoutMs: 0 }, 'timeoutMs must be a number in (0, 2147483647]; got 0'],
      [{ timeoutMs: NaN }, 'timeoutMs must be a number in (0, 2147483647]; got NaN'],
      [{ timeoutMs: 3e9 }, 'timeoutMs must be a number in (0, 2147483647]; got 3000000000'],
      [{ signal: {} }, 'signal must be an AbortSignal'],
      [{ classify: 'yes' }, 'classify must be a function'],
      [[], 'execute options must be a classifier or an options object'],
    ] as const) {
      const call = c.execute(fn, options as never);
      await expect(call).rejects.toThrow(ConfigError);
      await expect(c.execute(fn, options as never)).rejects.toThrow(message);
    }
  });
});
