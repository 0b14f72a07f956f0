/**
 * Calls made from inside a server handler with grpc-js's `parent` option (`CallOptions.parent`,
 * `propagate_flags`): the parent's deadline and cancellation reach the child call below the
 * interceptor. The child then carries the parent's deadline — it is not the interceptor's own
 * `timeoutMs` — and a cancellation by the parent is the caller's own, always ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { md, type UnaryResult } from './helpers/calls.js';
import { EchoClientCtor, paths, services, type EchoReply } from './helpers/services.js';
import { fail, hang } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await f?.close();
});

/**
 * A front server whose Echo/Say calls the fixture's server through the breaker with
 * `parent: call`; resolves `child` with what the child call returned.
 */
async function frontServer(propagateFlags?: number) {
  const downstream = f.echo();
  const children: Array<Promise<{ code: number; at: number }>> = [];
  const server = new grpc.Server();
  server.addService(services.Echo.service, {
    Say: (
      call: grpc.ServerUnaryCall<{ message: string }, EchoReply>,
      cb: grpc.sendUnaryData<EchoReply>,
    ) => {
      children.push(
        new Promise((resolve) => {
          const options: grpc.CallOptions = { parent: call };
          if (propagateFlags !== undefined) options.propagate_flags = propagateFlags;
          downstream.Say(call.request, md(), options, (e, v) => {
            resolve({ code: e?.code ?? 0, at: Date.now() });
            cb(e, v);
          });
        }),
      );
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const client = new EchoClientCtor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  closers.push(() => {
    client.close();
    server.forceShutdown();
  });
  return { client, child: () => children[0]! };
}

describe('a child call of a server handler (grpc-js parent propagation)', () => {
  it('does not count the parent’s deadline as the interceptor’s own timeoutMs', async () => {
    f = await Fixture.create({
      manualClock: false,
      defaults: { timeoutMs: 5_000, ignore: ['DEADLINE_EXCEEDED'] },
    });
    f.server.set(hang);
    // Deadline only: a propagated cancellation would race the deadline when the parent expires.
    const front = await frontServer(grpc.propagate.DEADLINE);
    const r: UnaryResult<EchoReply> = await say(
      front.client,
      {},
      { options: { deadline: Date.now() + 300 } },
    );
    expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect((await front.child()).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    // The parent's deadline, not `timeoutMs`, ended the child: `ignore` applies to it.
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({ failures: 0, ignored: 1 });
  });

  it('still applies timeoutMs when the parent’s deadline is not propagated', async () => {
    f = await Fixture.create({
      manualClock: false,
      defaults: { timeoutMs: 100, ignore: ['DEADLINE_EXCEEDED'] },
    });
    f.server.set(hang);
    const front = await frontServer(grpc.propagate.CANCELLATION);
    const r = await say(front.client, {}, { options: { deadline: Date.now() + 5_000 } });
    expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({ failures: 1, ignored: 0 });
  });

  it('never retries past the parent’s deadline', async () => {
    f = await Fixture.create({
      manualClock: false,
      defaults: {
        timeoutMs: 10_000,
        retry: { maxAttempts: 50, initialDelayMs: 60, maxDelayMs: 60 },
        circuit: { trip: { consecutiveFailures: 1_000 } },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE, 'down'));
    const front = await frontServer();
    const deadline = Date.now() + 250;
    await say(front.client, {}, { options: { deadline } });
    const child = await front.child();
    expect(child.at).toBeLessThan(deadline + 150);
    // An attempt may start just before the deadline and arrive a moment after it.
    expect(Math.max(...f.server.arrivals)).toBeLessThan(deadline + 50);
    // Every failure counted is one the server sent: none made up for an attempt never sent. The
    // last attempt may reach the server and still be ended by the parent's deadline (ignored).
    const counts = f.registry.get(paths.say).snapshot().counts;
    expect(counts.failures).toBeLessThanOrEqual(f.server.count('Say'));
    expect(counts.failures).toBeGreaterThanOrEqual(f.server.count('Say') - 1);
  });

  it('ignores a cancellation by the parent even with failOn: [CANCELLED]', async () => {
    f = await Fixture.create({
      manualClock: false,
      defaults: { failOn: ['CANCELLED', 'UNAVAILABLE'] },
    });
    f.server.set(hang);
    const front = await frontServer();
    const r = await say(front.client, {}, {}, (call) => {
      setTimeout(() => call.cancel(), 150);
    });
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    expect((await front.child()).code).toBe(grpc.status.CANCELLED);
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({ failures: 0, ignored: 1 });
  });
});
