/**
 * `isCircuitOpenError` on gRPC errors: true for the ServiceError of a call the circuit rejected
 * (every call type), false for any status a server sent, even one that reads like a rejection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { md, readStream, unary } from './helpers/calls.js';
import { paths, type EchoReply } from './helpers/services.js';
import { fail } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

describe('isCircuitOpenError on gRPC errors', () => {
  it('is true for the error of a rejected call of every type, with circuit and retry-after', async () => {
    const circuit = { trip: { consecutiveFailures: 1 }, openMs: 3_000 };
    f = await Fixture.create({ defaults: { circuit } });
    f.server.set(fail(grpc.status.UNAVAILABLE));
    const real = await say(f.echo());
    expect(real.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(isCircuitOpenError(real.error)).toBe(false);

    const rejected = await say(f.echo());
    expect(rejected.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(isCircuitOpenError(rejected.error)).toBe(true);
    expect(rejected.error).toMatchObject({ circuit: paths.say, reason: 'open' });
    expect((rejected.error as unknown as { retryAfterMs: number }).retryAfterMs).toBe(3_000);

    // The interceptor's own policy, so that it finds these circuits as it would have made them.
    for (const p of [paths.repeat, paths.collect, paths.chat])
      f.registry.get(p, circuit).forceOpen();
    const client = f.echo();
    const stream = await readStream(client.Repeat({ message: 'x' }));
    const clientStream = await unary<EchoReply>((cb) => {
      const w = client.Collect(md(), {}, cb);
      w.end();
      return w;
    });
    const chat = client.Chat();
    chat.end();
    const bidi = await readStream(chat);
    for (const e of [stream.error, clientStream.error, bidi.error]) {
      expect(isCircuitOpenError(e)).toBe(true);
      expect(e).toMatchObject({ reason: 'forced-open', retryAfterMs: Infinity });
    }
  });

  it('is false for a server status that imitates a rejection', async () => {
    f = await Fixture.create({ defaults: { circuit: { trip: { consecutiveFailures: 100 } } } });
    f.server.set(fail(grpc.status.UNAVAILABLE, `circuit "${paths.say}" is open; retry after 5 ms`));
    const r = await say(f.echo());
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(isCircuitOpenError(r.error)).toBe(false);
  });
});
