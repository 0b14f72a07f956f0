/**
 * Retries of unary calls: each attempt goes through the circuit, within the deadline, the
 * attempt limit and the budget; only failures are retried; headers of failed attempts are never
 * shown to the caller.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { createRetryPort } from '../../src/grpc/retry-port.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header, readStream } from './helpers/calls.js';
import { paths } from './helpers/services.js';
import { fail } from './helpers/test-server.js';

expectNoLeakedHandles();

// The retry adapter is a placeholder until src/retry lands; these tests run once it is wired.
const wired = createRetryPort({ retry: { maxAttempts: 2 } } as never) !== undefined;

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

const flaky = (times: number, code = grpc.status.UNAVAILABLE) => ({
  kind: 'flaky' as const,
  times,
  code,
});
const retry = (maxAttempts: number, extra: Record<string, unknown> = {}) => ({
  maxAttempts,
  initialDelayMs: 5,
  maxDelayMs: 20,
  ...extra,
});

describe.skipIf(!wired)('retries', () => {
  it('retries a failed unary call and returns the successful attempt’s reply and headers', async () => {
    f = await Fixture.create({ defaults: { retry: retry(3) } });
    f.server.set(flaky(2));
    const r = await say(f.echo(), { message: 'again' });
    expect(r.error).toBeNull();
    expect(r.value?.message).toBe('again');
    expect(header(r.metadata, 'x-server')).toBe('server-1');
    expect(f.server.count('Say')).toBe(3);
    expect(f.attemptsOf(paths.say)).toBe(3);
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({
      failures: 2,
      successes: 1,
    });
  });

  it('stops at maxAttempts and passes the last failure on', async () => {
    f = await Fixture.create({ defaults: { retry: retry(3) } });
    f.server.set(flaky(5));
    const r = await say(f.echo());
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe('flaky failure 3');
    expect(f.server.count('Say')).toBe(3);
  });

  it('stops retrying when the circuit opens, and the caller sees the last real failure', async () => {
    f = await Fixture.create({
      defaults: { retry: retry(5), circuit: { trip: { consecutiveFailures: 2 }, openMs: 10_000 } },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE, 'down'));
    const r = await say(f.echo());
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe('down');
    expect(f.server.count('Say')).toBe(2);
    expect(f.attemptsOf(paths.say)).toBe(2);
    expect(f.state(paths.say)).toBe('open');
  });

  it('does not retry statuses that are not failures', async () => {
    f = await Fixture.create({ defaults: { retry: retry(3) } });
    f.server.set(fail(grpc.status.NOT_FOUND));
    const r = await say(f.echo());
    expect(r.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(f.server.count('Say')).toBe(1);
  });

  it('does not retry when the delay would not fit before the deadline', async () => {
    f = await Fixture.create({
      defaults: { retry: { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 500 } },
    });
    f.server.set(flaky(1));
    const r = await say(f.echo(), {}, { options: { deadline: Date.now() + 200 } });
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.server.count('Say')).toBe(1);
  });

  it('lets the caller cancel while waiting to retry', async () => {
    f = await Fixture.create({
      defaults: { retry: { maxAttempts: 3, initialDelayMs: 2_000, maxDelayMs: 2_000 } },
    });
    f.server.set(flaky(1));
    const started = Date.now();
    const r = await say(f.echo(), {}, {}, (call) => {
      setTimeout(() => call.cancel(), 50);
    });
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(f.server.count('Say')).toBe(1);
  });

  it('spends no more retries than the budget allows', async () => {
    f = await Fixture.create({
      defaults: {
        retry: retry(2, { budget: { ratio: 0.2, minPerSecond: 0 } }),
        circuit: { trip: { consecutiveFailures: 1_000 } },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE));
    const client = f.echo();
    for (let i = 0; i < 20; i++) await say(client);
    const retries = f.server.count('Say') - 20;
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBeLessThanOrEqual(5);
  });

  it('never retries streaming calls', async () => {
    f = await Fixture.create({ defaults: { retry: retry(3) } });
    f.server.set(flaky(1));
    const r = await readStream(f.echo().Repeat({ message: 'x' }));
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.server.count('Repeat')).toBe(1);
  });
});
