/**
 * Retries of unary calls: each attempt goes through the circuit, within the deadline, the
 * attempt limit and the budget; only failures are retried; headers of failed attempts are never
 * shown to the caller.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header, readStream } from './helpers/calls.js';
import { paths } from './helpers/services.js';
import { fail } from './helpers/test-server.js';

expectNoLeakedHandles();

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

describe('retries', () => {
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

  it('never starts an attempt after the deadline, and ends with the last real failure', async () => {
    f = await Fixture.create({
      defaults: {
        retry: { maxAttempts: 50, initialDelayMs: 40, maxDelayMs: 40 },
        circuit: { trip: { consecutiveFailures: 1_000 } },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE, 'down'));
    const deadline = Date.now() + 200;
    const r = await say(f.echo(), {}, { options: { deadline } });
    // Backoff has full jitter: how many attempts fit is random, but none may start late.
    expect(f.server.count('Say')).toBeGreaterThanOrEqual(2);
    expect(Math.max(...f.server.arrivals)).toBeLessThan(deadline);
    expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(r.error?.code);
    expect(Date.now()).toBeLessThan(deadline + 100);
  });

  it('lets the caller cancel while waiting to retry', async () => {
    f = await Fixture.create({
      defaults: {
        retry: { maxAttempts: 5, initialDelayMs: 5_000, maxDelayMs: 5_000 },
        circuit: { trip: { consecutiveFailures: 1_000 } },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE));
    const started = Date.now();
    const r = await say(f.echo(), {}, {}, (call) => {
      setTimeout(() => call.cancel(), 50);
    });
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(f.registry.get(paths.say).snapshot().inFlight).toBe(0);
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

  it('never retries a method marked idempotent: false', async () => {
    f = await Fixture.create({ defaults: { retry: retry(3), idempotent: false } });
    f.server.set(flaky(1));
    const r = await say(f.echo());
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.server.count('Say')).toBe(1);
  });

  it('never retries streaming calls', async () => {
    f = await Fixture.create({ defaults: { retry: retry(3) } });
    f.server.set(flaky(1));
    const r = await readStream(f.echo().Repeat({ message: 'x' }));
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.server.count('Repeat')).toBe(1);
  });
});
