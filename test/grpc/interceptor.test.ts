import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { isConfigError } from '../../src/core/errors.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header, md, readStream, unary } from './helpers/calls.js';
import { paths, type EchoReply } from './helpers/services.js';
import { hang } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

describe('createGrpcBreakerInterceptor: the four call types', () => {
  it('passes a unary call through with its reply, headers and trailers', async () => {
    f = await Fixture.create();
    const r = await say(f.echo(), { message: 'hello' }, { metadata: md({ 'x-trace': 't1' }) });
    expect(r.error).toBeNull();
    expect(r.value).toMatchObject({ message: 'hello', server: 'server-1' });
    expect(header(r.metadata, 'x-server')).toBe('server-1');
    expect(r.status.code).toBe(grpc.status.OK);
    expect(header(r.status.metadata, 'x-server-trailer')).toBe('server-1');
    expect(header(f.server.lastMetadata.get('Say'), 'x-trace')).toBe('t1');
    expect(f.server.count('Say')).toBe(1);
    expect(f.registry.get(paths.say).snapshot().counts.successes).toBe(1);
  });

  it('passes a server stream through, message by message', async () => {
    f = await Fixture.create();
    const r = await readStream(f.echo().Repeat({ message: 'r', count: 4 }));
    expect(r.messages.map((m) => m.index)).toEqual([0, 1, 2, 3]);
    expect(r.error).toBeUndefined();
    expect(header(r.metadata, 'x-server')).toBe('server-1');
    expect(r.status.code).toBe(grpc.status.OK);
    expect(f.registry.get(paths.repeat).snapshot().counts.successes).toBe(1);
  });

  it('passes a client stream through', async () => {
    f = await Fixture.create();
    const client = f.echo();
    const r = await unary<EchoReply>((cb) => {
      const w = client.Collect(md(), {}, cb);
      for (const m of ['a', 'b', 'c']) w.write({ message: m });
      w.end();
      return w;
    });
    expect(r.value).toMatchObject({ message: 'a,b,c', index: 3 });
    expect(header(r.metadata, 'x-server')).toBe('server-1');
    expect(r.status.code).toBe(grpc.status.OK);
    expect(f.registry.get(paths.collect).snapshot().counts.successes).toBe(1);
  });

  it('passes a bidi stream through in both directions', async () => {
    f = await Fixture.create();
    const chat = f.echo().Chat();
    const done = readStream(chat, (m) => {
      if (m.index === 0) chat.write({ message: 'second' });
      else chat.end();
    });
    chat.write({ message: 'first' });
    const r = await done;
    expect(r.messages.map((m) => m.message)).toEqual(['first', 'second']);
    expect(header(r.metadata, 'x-server')).toBe('server-1');
    expect(r.status.code).toBe(grpc.status.OK);
    expect(f.registry.get(paths.chat).snapshot().counts.successes).toBe(1);
  });

  it('keeps one circuit per method path, or per circuitName(path)', async () => {
    f = await Fixture.create({ circuitName: (p) => p.split('/')[1]! });
    const client = f.echo();
    await say(client);
    await readStream(client.Repeat({ message: 'x', count: 1 }));
    expect(f.registry.snapshot().map((s) => s.name)).toEqual(['rpcbreaker.echo.v1.Echo']);
    expect(f.registry.get('rpcbreaker.echo.v1.Echo').snapshot().counts.successes).toBe(2);
  });
});

describe('createGrpcBreakerInterceptor: a closed client', () => {
  it('lets grpc-js throw as it would, without keeping the permit in flight', async () => {
    f = await Fixture.create({ defaults: { circuit: { maxConcurrent: 1 } } });
    const client = f.echo();
    client.close();
    expect(() => client.Say({ message: 'x' }, md(), {}, () => {})).toThrow(/shut down/);
    expect(f.registry.get(paths.say).snapshot().inFlight).toBe(0);
  });
});

describe('createGrpcBreakerInterceptor: cancellation', () => {
  it('ignores a unary call the caller cancels, and the caller sees CANCELLED', async () => {
    f = await Fixture.create({ defaults: { circuit: { trip: { consecutiveFailures: 1 } } } });
    f.server.set(hang);
    const r = await say(f.echo(), {}, {}, (call) => setTimeout(() => call.cancel(), 20));
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    expect(r.status.code).toBe(grpc.status.CANCELLED);
    const snap = f.registry.get(paths.say).snapshot();
    expect(snap.counts.ignored).toBe(1);
    expect(snap.state).toBe('closed');
    expect(f.server.count('Say')).toBe(1);
  });

  it('ignores a cancelled server stream, a cancelled client stream and a cancelled bidi stream', async () => {
    f = await Fixture.create({ defaults: { circuit: { trip: { consecutiveFailures: 1 } } } });
    f.server.set(hang);
    const client = f.echo();
    const rs = client.Repeat({ message: 'x', count: 2 });
    const rsDone = readStream(rs);
    const cs = unary<EchoReply>(
      (cb) => client.Collect(md(), {}, cb),
      (c) => {
        setTimeout(() => c.cancel(), 20);
      },
    );
    const bidi = client.Chat();
    const bidiDone = readStream(bidi);
    setTimeout(() => {
      rs.cancel();
      bidi.cancel();
    }, 20);
    const [a, b, c] = await Promise.all([rsDone, cs, bidiDone]);
    expect([a.status.code, b.status.code, c.status.code]).toEqual([1, 1, 1]);
    for (const p of [paths.repeat, paths.collect, paths.chat]) {
      expect(f.registry.get(p).snapshot().counts).toMatchObject({ ignored: 1, failures: 0 });
      expect(f.state(p)).toBe('closed');
    }
  });
});

describe('createGrpcBreakerInterceptor: configuration errors', () => {
  const bad: Array<[string, unknown, string]> = [
    ['an unknown status name', { defaults: { failOn: ['UNAVAILABEL'] } }, 'defaults.failOn[0]'],
    [
      'an out-of-range status number',
      { methods: { '*': { ignore: [99] } } },
      'methods["*"].ignore[0]',
    ],
    ['a malformed method key', { methods: { 'Echo/Say': {} } }, 'methods["Echo/Say"]'],
    ['an unknown option', { default: {} }, 'options.default'],
    [
      'a bad circuit policy',
      { methods: { '/a.B/C': { circuit: { openMs: -1 } } } },
      'methods["/a.B/C"].circuit.openMs',
    ],
    ['a bad timeout', { defaults: { timeoutMs: 0 } }, 'defaults.timeoutMs'],
    ['a non-function classify', { defaults: { classify: 'yes' } }, 'defaults.classify'],
    ['a non-function circuitName', { circuitName: 'x' }, 'circuitName'],
    ['a registry that is not one', { registry: {} }, 'registry'],
    [
      'a merged policy that is invalid as a whole',
      { defaults: { circuit: { slowCallRate: 0.5 } }, methods: {} },
      'defaults.circuit',
    ],
  ];
  it.each(bad)('throws ConfigError at creation for %s', (_what, options, path) => {
    let error: unknown;
    try {
      createGrpcBreakerInterceptor(options as never);
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message.startsWith(path)).toBe(true);
  });

  it('does not modify the caller’s options', () => {
    const options = { defaults: { failOn: ['UNAVAILABLE' as const], circuit: { openMs: 5 } } };
    const copy = structuredClone(options);
    createGrpcBreakerInterceptor(options);
    expect(options).toEqual(copy);
    expect(Object.isFrozen(options.defaults)).toBe(false);
  });
});
