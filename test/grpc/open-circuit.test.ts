/**
 * What a caller sees when the circuit rejects a call: no network, an asynchronous answer, and a
 * status that says which circuit and for how long.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header, md, readStream, unary } from './helpers/calls.js';
import { paths, type EchoReply } from './helpers/services.js';
import { fail, hang } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

async function openSay(fixture: Fixture) {
  fixture.server.set(fail(grpc.status.UNAVAILABLE));
  await say(fixture.echo());
  fixture.server.set({ kind: 'ok' });
}

describe('an open circuit', () => {
  it('answers a unary call asynchronously with UNAVAILABLE, naming the circuit, without a call', async () => {
    f = await Fixture.create({
      defaults: { circuit: { trip: { consecutiveFailures: 1 }, openMs: 3_000 } },
    });
    await openSay(f);
    f.clock.advance(1_000);
    const r = await say(f.echo());
    expect(r.synchronous).toBe(false);
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe(`circuit "${paths.say}" is open; retry after 2000 ms`);
    expect(r.status.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(r.status.metadata, 'x-circuit-state')).toBe('open');
    expect(header(r.status.metadata, 'x-retry-after-ms')).toBe('2000');
    expect(header(r.status.metadata, 'x-circuit-reject-reason')).toBe('open');
    expect(r.error?.metadata.get('x-circuit-state')).toEqual(['open']);
    expect(f.attemptsOf(paths.say)).toBe(1);
    expect(f.server.count('Say')).toBe(1);
  });

  it('rejects all four call types without touching the network', async () => {
    f = await Fixture.create();
    for (const p of [paths.say, paths.repeat, paths.collect, paths.chat])
      f.registry.get(p).forceOpen();
    const client = f.echo();
    const unaryR = await say(client);
    const stream = await readStream(client.Repeat({ message: 'x' }));
    const clientStream = await unary<EchoReply>((cb) => {
      const w = client.Collect(md(), {}, cb);
      w.write({ message: 'a' });
      w.end();
      return w;
    });
    const chat = client.Chat();
    chat.write({ message: 'a' });
    chat.end();
    const bidi = await readStream(chat);
    for (const s of [unaryR.status, stream.status, clientStream.status, bidi.status]) {
      expect(s.code).toBe(grpc.status.UNAVAILABLE);
      expect(header(s.metadata, 'x-circuit-state')).toBe('forced-open');
      // A forced-open circuit has no end: no retry-after.
      expect(header(s.metadata, 'x-retry-after-ms')).toBeUndefined();
    }
    expect(stream.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(bidi.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(clientStream.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.attempts.size).toBe(0);
    expect(f.server.count()).toBe(0);
  });

  it('lets the caller cancel a rejected call before its answer arrives', async () => {
    f = await Fixture.create();
    f.registry.get(paths.say).forceOpen();
    const r = await say(f.echo(), {}, {}, (call) => call.cancel());
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
  });

  it('rejects calls beyond maxConcurrent with reason bulkhead; the rejection is no failure', async () => {
    f = await Fixture.create({ defaults: { circuit: { maxConcurrent: 2 } } });
    f.server.set(hang);
    const client = f.echo();
    const held = [
      say(client, {}, { options: { deadline: Date.now() + 300 } }),
      say(client, {}, { options: { deadline: Date.now() + 300 } }),
    ];
    const r = await say(client);
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(r.status.metadata, 'x-circuit-reject-reason')).toBe('bulkhead');
    expect(header(r.status.metadata, 'x-circuit-state')).toBe('closed');
    await Promise.all(held);
    expect(f.server.count('Say')).toBe(2);
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({ rejected: 1, failures: 2 });
  });

  it('closes again after a successful probe once openMs has passed', async () => {
    f = await Fixture.create({
      defaults: { circuit: { trip: { consecutiveFailures: 1 }, openMs: 500 } },
    });
    await openSay(f);
    expect(f.state(paths.say)).toBe('open');
    f.clock.advance(500);
    const r = await say(f.echo());
    expect(r.status.code).toBe(0);
    expect(f.state(paths.say)).toBe('closed');
    expect(f.server.count('Say')).toBe(2);
  });
});
