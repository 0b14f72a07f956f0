/**
 * Promises to the caller that no other test held (each of these fails when the code keeping it
 * is broken on purpose): response headers are held back while another answer may still replace
 * the attempt's, and only then; a rejected client-streaming call still calls back every write; a
 * caller's own cancellation is never the dependency's failure, whatever `failOn` or `classify`
 * say, and it wins over a fallback still being computed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header, readStream } from './helpers/calls.js';
import { paths } from './helpers/services.js';
import { fail, hang, slow } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

/** Counts the `metadata` events of a call and notes when its first one and its status came. */
function watchHeaders(call: grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown>) {
  const seen = { headers: 0, firstHeadersAt: 0, statusAt: 0 };
  call.on('metadata', () => {
    if (seen.headers++ === 0) seen.firstHeadersAt = performance.now();
  });
  call.on('status', () => (seen.statusAt = performance.now()));
  return seen;
}

const flaky = (times: number) => ({ kind: 'flaky' as const, times, code: grpc.status.UNAVAILABLE });

describe('response headers', () => {
  it('are held while a retry is possible: the caller sees only the answering attempt’s', async () => {
    f = await Fixture.create({ defaults: { retry: { maxAttempts: 3, initialDelayMs: 5 } } });
    f.server.set(flaky(2));
    let seen!: ReturnType<typeof watchHeaders>;
    const r = await say(f.echo(), {}, {}, (call) => (seen = watchHeaders(call)));
    expect(r.error).toBeNull();
    expect(f.server.count('Say')).toBe(3);
    expect(seen.headers).toBe(1);
    expect(header(r.metadata, 'x-server')).toBe('server-1');
  });

  it('are held while a failure fallback is possible: the caller sees only the fallback’s', async () => {
    f = await Fixture.create({
      defaults: {
        fallback: {
          value: { message: 'spare' },
          cache: { ttlMs: 1_000, serveOn: 'open-or-failure' },
        },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE));
    let seen!: ReturnType<typeof watchHeaders>;
    const r = await say(f.echo(), {}, {}, (call) => (seen = watchHeaders(call)));
    expect(r.value?.message).toBe('spare');
    expect(seen.headers).toBe(1);
    expect(header(r.metadata, 'x-fallback')).toBe('value');
    expect(header(r.metadata, 'x-server')).toBeUndefined();
  });

  it('are held on a server stream with a failure fallback until it is known not to apply', async () => {
    f = await Fixture.create({
      defaults: {
        fallback: {
          value: [{ message: 'a' }],
          cache: { ttlMs: 1_000, serveOn: 'open-or-failure' },
        },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE));
    const stream = f.echo().Repeat({ message: 'x', count: 2 });
    const seen = watchHeaders(stream);
    const r = await readStream(stream);
    expect(r.messages.map((m) => m.message)).toEqual(['a']);
    expect(seen.headers).toBe(1);
    expect(header(r.metadata, 'x-fallback')).toBe('value');
  });

  it('are passed on at once when nothing can replace the answer', async () => {
    f = await Fixture.create({ manualClock: false });
    f.server.set(slow(400));
    let seen!: ReturnType<typeof watchHeaders>;
    const r = await say(f.echo(), {}, {}, (call) => (seen = watchHeaders(call)));
    expect(r.error).toBeNull();
    expect(seen.headers).toBe(1);
    // The server sends its headers at once and its reply 400 ms later.
    expect(seen.statusAt - seen.firstHeadersAt).toBeGreaterThan(200);
  });
});

describe('a rejected client-streaming call', () => {
  it('still calls back every write, so the caller’s stream does not stall', async () => {
    f = await Fixture.create();
    f.registry.get(paths.collect).forceOpen();
    let status: grpc.ServiceError | null = null;
    const written: number[] = [];
    const finished = await new Promise<boolean>((resolve) => {
      const call = f.echo().Collect(new grpc.Metadata(), {}, (e) => (status = e));
      for (let i = 0; i < 3; i++) call.write({ message: `m${i}` }, () => written.push(i));
      call.end();
      call.on('finish', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    expect(finished).toBe(true);
    expect(written).toEqual([0, 1, 2]);
    await new Promise((r) => setImmediate(r));
    expect(status!.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.attemptsOf(paths.collect)).toBe(0);
  });
});

describe('a caller’s own cancellation', () => {
  const cancelled = async (policy: Parameters<typeof Fixture.create>[0]) => {
    f = await Fixture.create({ manualClock: false, ...policy });
    f.server.set(hang);
    const r = await say(f.echo(), {}, {}, (call) => setTimeout(() => call.cancel(), 50));
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    return f.registry.get(paths.say).snapshot().counts;
  };

  it('is ignored even when failOn lists CANCELLED', async () => {
    expect(await cancelled({ defaults: { failOn: ['CANCELLED', 'UNAVAILABLE'] } })).toMatchObject({
      failures: 0,
      ignored: 1,
    });
  });

  it('is ignored even when classify calls everything a failure', async () => {
    expect(await cancelled({ defaults: { classify: () => 'failure' } })).toMatchObject({
      failures: 0,
      ignored: 1,
    });
  });

  it('wins over a fallback still being computed', async () => {
    let release!: (v: unknown) => void;
    f = await Fixture.create({
      defaults: { fallback: { value: () => new Promise((r) => (release = r)) } },
    });
    f.registry.get(paths.say).forceOpen();
    const r = await say(f.echo(), {}, {}, (call) => {
      call.cancel();
      release({ message: 'too late' }); // settles before the cancellation is delivered
    });
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    expect(r.value).toBeUndefined();
    expect(f.registry.get(paths.say).snapshot().counts.fallbacks).toBe(0);
  });
});
