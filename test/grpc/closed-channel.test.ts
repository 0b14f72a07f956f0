/**
 * A client closed while the interceptor still has something to do for one of its calls: a retry
 * waiting for its delay, a fallback function still running, a made-up answer scheduled for the
 * next turn of the event loop, a health probe. grpc-js throws "Channel has been shut down" from
 * `nextCall` once its client is closed; whatever the interceptor does later must end the call with
 * an answer and never throw out of a timer (an uncaught exception ends the process).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header, readStream } from './helpers/calls.js';
import { paths } from './helpers/services.js';
import { fail } from './helpers/test-server.js';
import { HealthServer } from './helpers/health-server.js';
import { createGrpcHealthProbe } from '../../src/grpc/health-probe.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

/** An interceptor below the breaker that closes the client as an attempt's status comes back. */
function closeOnStatus(client: () => grpc.Client): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            client().close();
            nextStatus(status);
          },
        });
      },
    });
}

/** An Echo client whose first attempt closes it on the way back. */
function selfClosingEcho(): grpc.Client & ReturnType<Fixture['echo']> {
  const ref: { c?: grpc.Client } = {};
  const c = f.echo(f.server.address, {
    interceptors: [f.interceptor, closeOnStatus(() => ref.c!)],
  });
  ref.c = c;
  return c;
}

const retry = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 20 };

describe('a closed client while a retry waits', () => {
  it('ends the call with its last real failure instead of throwing from the timer', async () => {
    f = await Fixture.create({ defaults: { retry } });
    f.server.set(fail(grpc.status.UNAVAILABLE, 'down'));
    const r = await say(selfClosingEcho());
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe('down');
    expect(f.server.count('Say')).toBe(1);
    const s = f.registry.get(paths.say).snapshot();
    expect(s.inFlight).toBe(0);
    expect(s.counts).toMatchObject({ failures: 1 });
  });

  it('answers with the failure fallback when the method has one', async () => {
    f = await Fixture.create({
      defaults: {
        retry,
        fallback: {
          value: { message: 'spare' },
          cache: { ttlMs: 1_000, serveOn: 'open-or-failure' },
        },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE, 'down'));
    const r = await say(selfClosingEcho());
    expect(r.error).toBeNull();
    expect(r.value?.message).toBe('spare');
    expect(header(r.metadata, 'x-fallback')).toBe('value');
  });
});

describe('a closed client while the interceptor answers by itself', () => {
  it('delivers a rejection scheduled before the client closed', async () => {
    f = await Fixture.create();
    f.registry.get(paths.say).forceOpen();
    const client = f.echo();
    const pending = say(client);
    client.close();
    const r = await pending;
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(r.status.metadata, 'x-circuit-state')).toBe('forced-open');
    expect(f.attemptsOf(paths.say)).toBe(0);
  });

  it('delivers an async fallback value that settles after the client closed', async () => {
    f = await Fixture.create({
      defaults: {
        fallback: {
          value: () => new Promise((r) => setTimeout(() => r({ message: 'later' }), 30)),
        },
      },
    });
    f.registry.get(paths.say).forceOpen();
    const client = f.echo();
    const pending = say(client);
    client.close();
    const r = await pending;
    expect(r.error).toBeNull();
    expect(r.value?.message).toBe('later');
  });

  it('replays an async array fallback as a stream after the client closed', async () => {
    f = await Fixture.create({
      defaults: {
        fallback: {
          value: () =>
            new Promise((r) => setTimeout(() => r([{ message: 'one' }, { message: 'two' }]), 30)),
        },
      },
    });
    f.registry.get(paths.repeat).forceOpen();
    const client = f.echo();
    const stream = client.Repeat({ message: 'x', count: 2 });
    client.close();
    const r = await readStream(stream);
    expect(r.error).toBeUndefined();
    expect(r.messages.map((m) => m.message)).toEqual(['one', 'two']);
  });

  it('rejects a client-streaming call on an open circuit after the client closed', async () => {
    f = await Fixture.create();
    f.registry.get(paths.collect).forceOpen();
    const client = f.echo();
    const r = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.Collect(new grpc.Metadata(), {}, (e) => resolve(e));
      client.close();
      call.write({ message: 'a' });
      call.end();
    });
    expect(r?.code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('a health probe on a closed client', () => {
  it('fails the probe (the circuit re-opens) instead of throwing', async () => {
    const h = await HealthServer.start();
    try {
      const client = new grpc.Client(h.address, grpc.credentials.createInsecure());
      client.close();
      const probe = createGrpcHealthProbe(client);
      await expect(probe()).rejects.toThrow(/shut down/);
    } finally {
      await h.close();
    }
  });
});
