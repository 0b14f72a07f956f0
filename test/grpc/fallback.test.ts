/**
 * Fallbacks through the interceptor: last-known-good cache (keyed by method, request bytes and
 * credential metadata), fixed values and value functions; on open circuits and, when asked, on
 * failures; unary and server-streaming calls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import type { FallbackEvent } from '../../src/registry/circuit-registry.js';
import type { CallContext } from '../../src/classify/call-context.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, getItem, say } from './helpers/fixture.js';
import { header, md, readStream, unary } from './helpers/calls.js';
import { paths, type EchoReply } from './helpers/services.js';
import { fail, TestServer, type Behaviour } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

const cache = (extra: Record<string, unknown> = {}) => ({ cache: { ttlMs: 60_000, ...extra } });
const down: Behaviour = fail(grpc.status.UNAVAILABLE, 'down');

describe('fallback on an open circuit', () => {
  it('serves the last good reply from the cache, marked x-fallback: cache, without a call', async () => {
    f = await Fixture.create({ methods: { [paths.getItem]: { fallback: cache() } } });
    const events: FallbackEvent[] = [];
    f.registry.onFallback((e) => events.push(e));
    const client = f.catalog();
    const fresh = await getItem(client, 'a');
    expect(fresh.value).toMatchObject({ id: 'a', server: 'server-1' });
    f.registry.get(paths.getItem).forceOpen();

    const r = await getItem(client, 'a');
    expect(r.error).toBeNull();
    expect(r.value).toEqual(fresh.value);
    expect(header(r.metadata, 'x-fallback')).toBe('cache');
    expect(header(r.metadata, 'x-circuit-state')).toBe('forced-open');
    expect(r.status.code).toBe(grpc.status.OK);
    expect(r.synchronous).toBe(false);
    expect(f.attemptsOf(paths.getItem)).toBe(1);
    expect(f.server.count('GetItem')).toBe(1);
    expect(events).toEqual([{ name: paths.getItem, kind: 'cache', method: paths.getItem }]);
    expect(f.registry.get(paths.getItem).snapshot().counts.fallbacks).toBe(1);
  });

  it('keys the cache by request: another request gets the circuit-open error', async () => {
    f = await Fixture.create({ methods: { [paths.getItem]: { fallback: cache() } } });
    const client = f.catalog();
    await getItem(client, 'a');
    f.registry.get(paths.getItem).forceOpen();
    const r = await getItem(client, 'b');
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(r.status.metadata, 'x-circuit-state')).toBe('forced-open');
    expect(f.server.count('GetItem')).toBe(1);
  });

  it('never serves one caller a reply cached for another (credential metadata isolates)', async () => {
    f = await Fixture.create({
      methods: { [paths.say]: { fallback: cache({ keyMetadata: ['x-tenant'] }) } },
    });
    const client = f.echo();
    const as = (pairs: Record<string, string>) => ({ metadata: md(pairs) });
    const alice = await say(client, { message: 'q' }, as({ authorization: 'Bearer alice' }));
    expect(alice.value?.caller).toBe('Bearer alice');
    const t1 = await say(client, { message: 'q' }, as({ 'x-tenant': 't1' }));
    expect(t1.status.code).toBe(0);
    f.registry.get(paths.say).forceOpen();

    const bob = await say(client, { message: 'q' }, as({ authorization: 'Bearer bob' }));
    expect(bob.error?.code).toBe(grpc.status.UNAVAILABLE);
    const anonymous = await say(client, { message: 'q' });
    expect(anonymous.error?.code).toBe(grpc.status.UNAVAILABLE);
    const cookie = await say(client, { message: 'q' }, as({ cookie: 'alice' }));
    expect(cookie.error?.code).toBe(grpc.status.UNAVAILABLE);
    const t2 = await say(client, { message: 'q' }, as({ 'x-tenant': 't2' }));
    expect(t2.error?.code).toBe(grpc.status.UNAVAILABLE);

    const aliceAgain = await say(client, { message: 'q' }, as({ authorization: 'Bearer alice' }));
    expect(aliceAgain.value).toEqual(alice.value);
    expect(header(aliceAgain.metadata, 'x-fallback')).toBe('cache');
    const t1Again = await say(client, { message: 'q' }, as({ 'x-tenant': 't1' }));
    expect(header(t1Again.metadata, 'x-fallback')).toBe('cache');
    expect(f.server.count('Say')).toBe(2);
  });

  it('serves a fixed value, marked x-fallback: value', async () => {
    f = await Fixture.create({
      methods: { [paths.say]: { fallback: { value: { message: 'fallback', server: 'none' } } } },
    });
    f.registry.get(paths.say).forceOpen();
    const r = await say(f.echo());
    expect(r.value).toMatchObject({ message: 'fallback', server: 'none' });
    expect(header(r.metadata, 'x-fallback')).toBe('value');
    expect(f.attemptsOf(paths.say)).toBe(0);
  });

  it('calls a value function (sync or async) with the call context, credentials hidden', async () => {
    const seen: CallContext[] = [];
    f = await Fixture.create({
      methods: {
        [paths.say]: {
          fallback: {
            value: async (ctx: CallContext) => {
              seen.push(ctx);
              return { message: `default for ${(ctx.request as { message: string }).message}` };
            },
          },
        },
      },
    });
    f.registry.get(paths.say).forceOpen();
    const r = await say(
      f.echo(),
      { message: 'x' },
      { metadata: md({ authorization: 's', 'x-a': 'b' }) },
    );
    expect(r.value?.message).toBe('default for x');
    expect(header(r.metadata, 'x-fallback')).toBe('value');
    expect(seen).toEqual([
      {
        system: 'grpc',
        method: paths.say,
        circuit: paths.say,
        request: { message: 'x' },
        metadata: { 'x-a': 'b' },
        attempt: 1,
      },
    ]);
  });

  it('prefers the cache to the value, and answers with the circuit error when the value function throws', async () => {
    f = await Fixture.create({
      methods: {
        [paths.say]: { fallback: { ...cache(), value: { message: 'v' } } },
        [paths.getItem]: {
          fallback: {
            value: () => {
              throw new Error('no default');
            },
          },
        },
      },
    });
    const echo = f.echo();
    await say(echo, { message: 'cached' });
    f.registry.get(paths.say).forceOpen();
    expect(header((await say(echo, { message: 'cached' })).metadata, 'x-fallback')).toBe('cache');
    expect(header((await say(echo, { message: 'other' })).metadata, 'x-fallback')).toBe('value');
    f.registry.get(paths.getItem).forceOpen();
    const r = await getItem(f.catalog(), 'a');
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(r.status.metadata, 'x-circuit-state')).toBe('forced-open');
  });
});

describe('cache lifetime and writes', () => {
  it('serves an entry until ttlMs on the registry clock, with its age, and not after', async () => {
    f = await Fixture.create({
      methods: { [paths.getItem]: { fallback: cache({ ttlMs: 1_000 }) } },
    });
    const client = f.catalog();
    await getItem(client, 'a');
    f.registry.get(paths.getItem).forceOpen();
    f.clock.advance(999);
    const fresh = await getItem(client, 'a');
    expect(header(fresh.metadata, 'x-fallback')).toBe('cache');
    expect(header(fresh.metadata, 'x-fallback-age-ms')).toBe('999');
    f.clock.advance(1);
    const stale = await getItem(client, 'a');
    expect(stale.error?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('keeps the latest good reply', async () => {
    f = await Fixture.create({ methods: { [paths.say]: { fallback: cache() } } });
    const client = f.echo();
    await say(client, { message: 'm' });
    f.server.close();
    f.server = await TestServer.start('server-2');
    const second = f.echo(f.server.address);
    await say(second, { message: 'm' });
    f.registry.get(paths.say).forceOpen();
    expect((await say(client, { message: 'm' })).value?.server).toBe('server-2');
  });

  it('never caches a method marked idempotent: false, but still serves its value', async () => {
    f = await Fixture.create({
      defaults: { fallback: cache() },
      methods: {
        [paths.putItem]: { idempotent: false, fallback: { value: { created: false } } },
      },
    });
    const client = f.catalog();
    const put = () =>
      unary<{ created: boolean }>((cb) => client.PutItem({ item: { id: '1' } }, md(), {}, cb));
    expect((await put()).value).toEqual({ created: true });
    f.registry.get(paths.putItem).forceOpen();
    const r = await put();
    expect(r.value).toEqual({ created: false });
    expect(header(r.metadata, 'x-fallback')).toBe('value');
  });
});

describe('fallback on failure', () => {
  it("serves the cache when a call fails and serveOn is 'open-or-failure'", async () => {
    f = await Fixture.create({
      methods: { [paths.getItem]: { fallback: cache({ serveOn: 'open-or-failure' }) } },
    });
    const client = f.catalog();
    const fresh = await getItem(client, 'a');
    f.server.set(down);
    const r = await getItem(client, 'a');
    expect(r.error).toBeNull();
    expect(r.value).toEqual(fresh.value);
    expect(header(r.metadata, 'x-fallback')).toBe('cache');
    expect(header(r.metadata, 'x-server')).toBeUndefined();
    expect(f.server.count('GetItem')).toBe(2);
    expect(f.registry.get(paths.getItem).snapshot().counts).toMatchObject({
      failures: 1,
      fallbacks: 1,
    });
  });

  it("passes a failure on when serveOn is 'open' (the default)", async () => {
    f = await Fixture.create({ methods: { [paths.getItem]: { fallback: cache() } } });
    const client = f.catalog();
    await getItem(client, 'a');
    f.server.set(down);
    const r = await getItem(client, 'a');
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe('down');
  });

  it('does not answer a status that is not a failure with a fallback', async () => {
    f = await Fixture.create({
      methods: { [paths.getItem]: { fallback: cache({ serveOn: 'open-or-failure' }) } },
    });
    const client = f.catalog();
    await getItem(client, 'a');
    f.server.set(fail(grpc.status.NOT_FOUND, 'gone'));
    const r = await getItem(client, 'a');
    expect(r.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(header(r.metadata, 'x-server')).toBe('server-1');
  });
});

describe('fallbacks for streams', () => {
  it('replays a cached server stream when the circuit is open', async () => {
    f = await Fixture.create({ methods: { [paths.repeat]: { fallback: cache() } } });
    const client = f.echo();
    const fresh = await readStream(client.Repeat({ message: 's', count: 3 }));
    f.registry.get(paths.repeat).forceOpen();
    const r = await readStream(client.Repeat({ message: 's', count: 3 }));
    expect(r.messages).toEqual(fresh.messages);
    expect(header(r.metadata, 'x-fallback')).toBe('cache');
    expect(r.status.code).toBe(0);
    expect(f.attemptsOf(paths.repeat)).toBe(1);
  });

  it('sends an array value as a sequence of stream messages', async () => {
    f = await Fixture.create({
      methods: { [paths.repeat]: { fallback: { value: [{ message: 'a' }, { message: 'b' }] } } },
    });
    f.registry.get(paths.repeat).forceOpen();
    const r = await readStream(f.echo().Repeat({ message: 's' }));
    expect(r.messages.map((m) => m.message)).toEqual(['a', 'b']);
    expect(header(r.metadata, 'x-fallback')).toBe('value');
  });

  it('never splices a fallback into a stream that already delivered messages', async () => {
    f = await Fixture.create({
      methods: { [paths.repeat]: { fallback: cache({ serveOn: 'open-or-failure' }) } },
    });
    const client = f.echo();
    await readStream(client.Repeat({ message: 's', count: 3 }));
    f.server.set({ kind: 'fail-after', after: 2, code: grpc.status.UNAVAILABLE });
    const r = await readStream(client.Repeat({ message: 's', count: 3 }));
    expect(r.messages).toHaveLength(2);
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(r.metadata, 'x-fallback')).toBeUndefined();
    expect(header(r.metadata, 'x-server')).toBe('server-1');
    expect(f.registry.get(paths.repeat).snapshot().counts).toMatchObject({
      failures: 1,
      fallbacks: 0,
    });
  });

  it('answers a stream that failed before its first message from the cache', async () => {
    f = await Fixture.create({
      methods: { [paths.repeat]: { fallback: cache({ serveOn: 'open-or-failure' }) } },
    });
    const client = f.echo();
    const fresh = await readStream(client.Repeat({ message: 's', count: 2 }));
    f.server.set(down);
    const r = await readStream(client.Repeat({ message: 's', count: 2 }));
    expect(r.messages).toEqual(fresh.messages);
    expect(r.error).toBeUndefined();
    expect(header(r.metadata, 'x-fallback')).toBe('cache');
  });

  it('rejects client-streaming and bidi calls on an open circuit even with a fallback', async () => {
    f = await Fixture.create({ defaults: { fallback: { value: { message: 'v' } } } });
    const client = f.echo();
    f.registry.get(paths.collect).forceOpen();
    f.registry.get(paths.chat).forceOpen();
    const cs = await unary<EchoReply>((cb) => {
      const w = client.Collect(md(), {}, cb);
      w.write({ message: 'a' });
      w.end();
      return w;
    });
    expect(cs.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(cs.status.metadata, 'x-circuit-state')).toBe('forced-open');
    const chat = client.Chat();
    chat.write({ message: 'a' });
    chat.end();
    const bidi = await readStream(chat);
    expect(bidi.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.attemptsOf(paths.collect) + f.attemptsOf(paths.chat)).toBe(0);
  });
});
