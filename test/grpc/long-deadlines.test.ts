/**
 * Deadlines and delays longer than a Node timer can wait (2^31 − 1 ms, about 24.8 days): Node
 * fires such a timer after 1 ms. A caller's deadline 30 days out must not end a call early, a
 * huge retry delay must not turn into an immediate retry, and a `timeoutMs` no timer can honour is
 * a ConfigError.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header, waitFor } from './helpers/calls.js';
import { paths } from './helpers/services.js';
import { fail } from './helpers/test-server.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { createGrpcHealthProbe } from '../../src/grpc/health-probe.js';
import { isConfigError } from '../../src/core/errors.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

const DAY_MS = 24 * 3_600_000;

describe('a deadline longer than a Node timer can wait', () => {
  it('lets an async fallback answer a call whose deadline is 30 days out', async () => {
    f = await Fixture.create({
      defaults: {
        fallback: {
          value: () => new Promise((r) => setTimeout(() => r({ message: 'spare' }), 50)),
        },
      },
    });
    f.registry.get(paths.say).forceOpen();
    const r = await say(f.echo(), {}, { options: { deadline: Date.now() + 30 * DAY_MS } });
    expect(r.error).toBeNull();
    expect(r.value?.message).toBe('spare');
    expect(header(r.metadata, 'x-fallback')).toBe('value');
  });

  it('still ends with DEADLINE_EXCEEDED when a near deadline passes during the fallback', async () => {
    f = await Fixture.create({
      defaults: { fallback: { value: () => new Promise(() => {}) } },
    });
    f.registry.get(paths.say).forceOpen();
    const r = await say(f.echo(), {}, { options: { deadline: Date.now() + 50 } });
    expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('waits out a retry delay beyond 2^31 − 1 ms instead of retrying at once', async () => {
    f = await Fixture.create({
      defaults: {
        // Full jitter: each delay is uniform in [0, 3e9]; 72 % of them are under 2^31 − 1 and
        // 28 % above it, which Node would fire after 1 ms. Eight calls make a fast retry near
        // certain without the clamp.
        retry: { maxAttempts: 2, initialDelayMs: 3e9, maxDelayMs: 3e9 },
        circuit: { trip: { consecutiveFailures: 1_000 } },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE));
    const client = f.echo();
    const calls: grpc.ClientUnaryCall[] = [];
    // No deadline at all (Infinity): the default unary deadline would not let such a delay fit.
    const results = Array.from({ length: 8 }, () =>
      say(client, {}, { options: { deadline: Infinity } }, (call) => calls.push(call)),
    );
    await waitFor(() => f.server.count('Say') >= 8);
    await new Promise((r) => setTimeout(r, 150));
    expect(f.server.count('Say')).toBe(8);
    for (const c of calls) c.cancel();
    for (const r of await Promise.all(results)) expect(r.error?.code).toBe(grpc.status.CANCELLED);
  });
});

describe('timeoutMs validation', () => {
  it.each([3e9, 2 ** 31, Infinity, 0, -1, Number.NaN])(
    'rejects timeoutMs %s with a ConfigError naming the option',
    (timeoutMs) => {
      let error: unknown;
      try {
        createGrpcBreakerInterceptor({ methods: { '/a.B/C': { timeoutMs } } });
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toContain('methods["/a.B/C"].timeoutMs');
      expect((error as Error).message).toContain(String(timeoutMs));
    },
  );

  it('accepts the longest timeoutMs a timer can wait', () => {
    expect(() =>
      createGrpcBreakerInterceptor({ defaults: { timeoutMs: 2 ** 31 - 1 } }),
    ).not.toThrow();
  });

  it('rejects a health probe timeoutMs no timer can wait', () => {
    const client = { makeUnaryRequest: () => undefined } as never;
    expect(() => createGrpcHealthProbe(client, { timeoutMs: 3e9 })).toThrow(
      /options\.timeoutMs must be a number of ms in \(0, 2147483647\]; got 3000000000/,
    );
  });
});
