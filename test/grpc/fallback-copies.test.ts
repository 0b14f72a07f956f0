/**
 * What the gRPC response cache holds and hands out: every hit is the caller's own copy (the cache
 * keeps serialized bytes), the key is the request as it was sent, and streams are cached only up
 * to `MAX_CACHED_STREAM_MESSAGES` messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { MAX_CACHED_STREAM_MESSAGES } from '../../src/grpc/stream-call.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, getItem, say } from './helpers/fixture.js';
import { header, readStream } from './helpers/calls.js';
import { paths, type EchoReply, type EchoRequest } from './helpers/services.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

const cache = { fallback: { cache: { ttlMs: 60_000 } } };

describe('cached replies are copies', () => {
  it('gives every hit its own object: a caller changing its reply changes no one else’s', async () => {
    f = await Fixture.create({ methods: { [paths.getItem]: cache } });
    const client = f.catalog();
    const fresh = await getItem(client, 'a');
    const original = { ...fresh.value! };
    fresh.value!.name = 'changed by the first caller';
    f.registry.get(paths.getItem).forceOpen();

    const hit1 = await getItem(client, 'a');
    expect(header(hit1.metadata, 'x-fallback')).toBe('cache');
    expect(hit1.value).toEqual(original);
    hit1.value!.name = 'changed by the second caller';
    const hit2 = await getItem(client, 'a');
    expect(hit2.value).toEqual(original);
    expect(hit2.value).not.toBe(hit1.value);
  });

  it('gives every hit of a cached stream its own messages', async () => {
    f = await Fixture.create({ methods: { [paths.repeat]: cache } });
    const client = f.echo();
    const fresh = await readStream<EchoReply>(client.Repeat({ message: 's', count: 3 }));
    const original = fresh.messages.map((m) => ({ ...m }));
    for (const m of fresh.messages) m.message = 'changed';
    f.registry.get(paths.repeat).forceOpen();

    const hit1 = await readStream<EchoReply>(client.Repeat({ message: 's', count: 3 }));
    expect(hit1.messages).toEqual(original);
    hit1.messages[0]!.message = 'changed again';
    const hit2 = await readStream<EchoReply>(client.Repeat({ message: 's', count: 3 }));
    expect(hit2.messages).toEqual(original);
  });
});

describe('the cache key is the request as sent', () => {
  it('keys a unary reply by the request sent, not by what the caller made of it later', async () => {
    f = await Fixture.create({ methods: { [paths.say]: cache } });
    const client = f.echo();
    const req: EchoRequest = { message: 'sent' };
    const fresh = await say(client, req, {}, () => {
      req.message = 'changed after sending';
    });
    expect(fresh.value?.message).toBe('sent');
    f.registry.get(paths.say).forceOpen();

    const hit = await say(client, { message: 'sent' });
    expect(hit.value?.message).toBe('sent');
    expect(header(hit.metadata, 'x-fallback')).toBe('cache');
    const other = await say(client, { message: 'changed after sending' });
    expect(other.error?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('keys a server stream by the request sent', async () => {
    f = await Fixture.create({ methods: { [paths.repeat]: cache } });
    const client = f.echo();
    const req: EchoRequest = { message: 'sent', count: 2 };
    const stream = client.Repeat(req);
    req.message = 'changed after sending';
    expect((await readStream<EchoReply>(stream)).messages.map((m) => m.message)).toEqual([
      'sent',
      'sent',
    ]);
    f.registry.get(paths.repeat).forceOpen();

    const hit = await readStream<EchoReply>(client.Repeat({ message: 'sent', count: 2 }));
    expect(hit.messages.map((m) => m.message)).toEqual(['sent', 'sent']);
    const other = await readStream<EchoReply>(
      client.Repeat({ message: 'changed after sending', count: 2 }),
    );
    expect(other.error?.code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('streams longer than MAX_CACHED_STREAM_MESSAGES', () => {
  it('caches a stream of exactly 1,000 messages and not one of 1,001', async () => {
    expect(MAX_CACHED_STREAM_MESSAGES).toBe(1_000);
    f = await Fixture.create({ methods: { [paths.repeat]: cache } });
    const client = f.echo();
    const full = await readStream<EchoReply>(client.Repeat({ message: 'full', count: 1_000 }));
    expect(full.messages).toHaveLength(1_000);
    const over = await readStream<EchoReply>(client.Repeat({ message: 'over', count: 1_001 }));
    expect(over.messages).toHaveLength(1_001);
    f.registry.get(paths.repeat).forceOpen();

    const hit = await readStream<EchoReply>(client.Repeat({ message: 'full', count: 1_000 }));
    expect(header(hit.metadata, 'x-fallback')).toBe('cache');
    expect(hit.messages).toEqual(full.messages);
    const miss = await readStream<EchoReply>(client.Repeat({ message: 'over', count: 1_001 }));
    expect(miss.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(miss.messages).toHaveLength(0);
  });
});
