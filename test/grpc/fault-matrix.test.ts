/**
 * The fault matrix: each case drives a real failure through a real grpc-js client and server and
 * asserts what the caller saw, the circuit's state, and how many calls went past the breaker
 * (`attemptsOf`, counted by an interceptor below it) or reached the server (`server.count`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say, sayTimes } from './helpers/fixture.js';
import { header, readStream, waitFor } from './helpers/calls.js';
import { BlackHole, closedAddress } from './helpers/black-hole.js';
import { ChildServer } from './helpers/child-server.js';
import { paths } from './helpers/services.js';
import { fail, hang, slow, type Behaviour } from './helpers/test-server.js';
import { GRPC_STATUS, type GrpcStatusName } from '../../src/classify/grpc-status.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

const trip = (n: number) => ({ circuit: { trip: { consecutiveFailures: n }, openMs: 5_000 } });

describe('fault matrix', () => {
  it('connection refused: fails fast, opens the circuit, then rejects without dialling', async () => {
    f = await Fixture.create({ defaults: trip(3), server: false });
    const client = f.echo(await closedAddress());
    const codes = await sayTimes(client, 3);
    expect(codes).toEqual([14, 14, 14]);
    expect(f.state(paths.say)).toBe('open');
    expect(f.attemptsOf(paths.say)).toBe(3);

    const r = await say(client);
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toContain(`circuit "${paths.say}" is open`);
    expect(header(r.status.metadata, 'x-circuit-state')).toBe('open');
    expect(Number(header(r.status.metadata, 'x-retry-after-ms'))).toBe(5_000);
    expect(f.attemptsOf(paths.say)).toBe(3);
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({ failures: 3, rejected: 1 });
  });

  it('server killed mid-call: the hung call fails with UNAVAILABLE and counts as a failure', async () => {
    const child = await ChildServer.start();
    f = await Fixture.create({ defaults: trip(1), server: false });
    f.onClose(() => child.kill());
    await child.set(hang);
    const client = f.echo(child.address);
    const pending = say(client);
    await waitFor(() => f.attemptsOf(paths.say) === 1);
    // The call must have reached the server before the crash.
    for (let i = 0; i < 100 && (await child.count()) === 0; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(await child.count()).toBe(1);
    await child.kill();
    const r = await pending;
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(f.state(paths.say)).toBe('open');
    const after = await say(client);
    expect(header(after.status.metadata, 'x-circuit-state')).toBe('open');
    expect(f.attemptsOf(paths.say)).toBe(1);
  });

  it('black-hole peer: timeoutMs ends the call with DEADLINE_EXCEEDED, a failure', async () => {
    const hole = await BlackHole.start();
    f = await Fixture.create({
      server: false,
      defaults: { ...trip(2), timeoutMs: 150, ignore: ['DEADLINE_EXCEEDED'] },
    });
    f.onClose(() => hole.close());
    const client = f.echo(hole.address);
    const started = Date.now();
    const codes = await sayTimes(client, 2);
    const took = Date.now() - started;
    expect(codes).toEqual([4, 4]);
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(2_000);
    // DEADLINE_EXCEEDED is ignored by this policy, except when the interceptor's own timeout fired.
    expect(f.registry.get(paths.say).snapshot().counts.failures).toBe(2);
    expect(f.state(paths.say)).toBe('open');
    expect(hole.connections).toBeGreaterThanOrEqual(1);
    const r = await say(client);
    expect(header(r.status.metadata, 'x-circuit-state')).toBe('open');
    expect(f.attemptsOf(paths.say)).toBe(2);
  });

  it('keeps a deadline the caller set instead of timeoutMs', async () => {
    f = await Fixture.create({ defaults: { timeoutMs: 10_000 } });
    f.server.set(hang);
    const started = Date.now();
    const r = await say(f.echo(), {}, { options: { deadline: Date.now() + 100 } });
    expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(f.registry.get(paths.say).snapshot().counts.failures).toBe(1);
  });

  it('a caller’s own deadline is judged by the lists (here: ignored)', async () => {
    f = await Fixture.create({ defaults: { timeoutMs: 10_000, ignore: ['DEADLINE_EXCEEDED'] } });
    f.server.set(hang);
    const r = await say(f.echo(), {}, { options: { deadline: Date.now() + 50 } });
    expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({ failures: 0, ignored: 1 });
  });

  it('hung handler: timeoutMs makes each call a failure and the circuit opens', async () => {
    f = await Fixture.create({ defaults: { ...trip(3), timeoutMs: 250 } });
    f.server.set(hang);
    const client = f.echo();
    expect(await sayTimes(client, 3)).toEqual([4, 4, 4]);
    expect(f.state(paths.say)).toBe('open');
    // On a busy machine a deadline can pass before the request reaches the server: still a
    // failure, but not counted there. Once open, nothing more reaches it.
    const reached = f.server.count('Say');
    expect(reached).toBeGreaterThanOrEqual(1);
    await sayTimes(client, 5);
    expect(f.server.count('Say')).toBe(reached);
    expect(f.registry.get(paths.say).snapshot().counts.rejected).toBe(5);
  });

  it('a hung server stream with timeoutMs is a failure too', async () => {
    f = await Fixture.create({ defaults: { ...trip(1), timeoutMs: 80 } });
    f.server.set(hang);
    const r = await readStream(f.echo().Repeat({ message: 'x', count: 2 }));
    expect(r.status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(f.state(paths.repeat)).toBe('open');
  });

  const all = Object.keys(GRPC_STATUS).filter((n) => n !== 'OK') as GrpcStatusName[];
  const failures = new Set([
    'UNAVAILABLE',
    'DEADLINE_EXCEEDED',
    'INTERNAL',
    'UNKNOWN',
    'RESOURCE_EXHAUSTED',
    'DATA_LOSS',
  ]);
  it.each(all)('status %s sent by the server is classified by the default lists', async (name) => {
    f = await Fixture.create({ defaults: trip(1) });
    f.server.set(fail(GRPC_STATUS[name]));
    const r = await say(f.echo());
    expect(r.error?.code).toBe(GRPC_STATUS[name]);
    const counts = f.registry.get(paths.say).snapshot().counts;
    const expected = failures.has(name)
      ? 'failures'
      : name === 'CANCELLED'
        ? 'ignored'
        : 'successes';
    expect(counts[expected]).toBe(1);
    expect(f.state(paths.say)).toBe(failures.has(name) ? 'open' : 'closed');
    expect(f.server.count('Say')).toBe(1);
  });

  it('per-method failOn and ignore, by name and by number, override the defaults', async () => {
    f = await Fixture.create({
      defaults: trip(1),
      methods: {
        '/rpcbreaker.echo.v1.Echo/*': { failOn: ['NOT_FOUND'] },
        [paths.say]: { failOn: [grpc.status.PERMISSION_DENIED], ignore: ['UNAVAILABLE'] },
      },
    });
    const client = f.echo();
    const cases: Array<[Behaviour, string, string]> = [
      [fail(grpc.status.UNAVAILABLE), paths.say, 'closed'],
      [fail(grpc.status.PERMISSION_DENIED), paths.say, 'open'],
    ];
    for (const [b, path, state] of cases) {
      f.server.set(b);
      await say(client);
      expect(f.state(path)).toBe(state);
    }
    f.server.set(fail(grpc.status.NOT_FOUND));
    await readStream(client.Repeat({ message: 'x' }));
    expect(f.state(paths.repeat)).toBe('open');
    f.server.set(fail(grpc.status.INTERNAL));
    const chat = client.Chat();
    chat.end();
    await readStream(chat);
    expect(f.state(paths.chat)).toBe('closed');
  });

  it('classify wins over the lists and sees the call context without credentials', async () => {
    const seen: Array<Record<string, unknown>> = [];
    f = await Fixture.create({
      defaults: {
        ...trip(1),
        classify: (e, ctx) => {
          seen.push({ details: (e as grpc.ServiceError).details, ...ctx });
          return 'ignore';
        },
      },
    });
    f.server.set(fail(grpc.status.UNAVAILABLE, 'down'));
    const { md } = await import('./helpers/calls.js');
    await say(
      f.echo(),
      { message: 'q' },
      { metadata: md({ authorization: 'secret', 'x-tenant': 't' }) },
    );
    expect(f.state(paths.say)).toBe('closed');
    expect(seen).toEqual([
      {
        details: 'down',
        system: 'grpc',
        method: paths.say,
        circuit: paths.say,
        request: { message: 'q' },
        metadata: { 'x-tenant': 't' },
        attempt: 1,
      },
    ]);
  });

  it('slow calls: measured from start to final status, they open the circuit by slow-call rate', async () => {
    f = await Fixture.create({
      manualClock: false,
      defaults: {
        circuit: {
          trip: { failureRate: 1, minimumCalls: 4, windowCalls: 10 },
          slowCallMs: 40,
          slowCallRate: 0.5,
        },
      },
    });
    const client = f.echo();
    f.server.set(slow(60));
    expect(await sayTimes(client, 4)).toEqual([0, 0, 0, 0]);
    const snap = f.registry.get(paths.say).snapshot();
    expect(snap.counts).toMatchObject({ successes: 4, slow: 4 });
    expect(snap.state).toBe('open');
    expect(snap.lastTripReason).toBe('slow-call-rate');
    expect(f.server.count('Say')).toBe(4);
    // A stream is slow when it takes long as a whole, even though each message came quickly.
    f.server.set(slow(60));
    await readStream(client.Repeat({ message: 's', count: 3 }));
    expect(f.registry.get(paths.repeat).snapshot().counts.slow).toBe(1);
  });

  it('half-open with 100 concurrent callers: exactly halfOpenProbes calls reach the server', async () => {
    f = await Fixture.create({
      defaults: { circuit: { trip: { consecutiveFailures: 1 }, openMs: 1_000, halfOpenProbes: 3 } },
    });
    const client = f.echo();
    f.server.set(fail(grpc.status.UNAVAILABLE));
    await say(client);
    expect(f.state(paths.say)).toBe('open');
    f.server.set({ kind: 'ok' });
    f.server.resetCounts();
    f.clock.advance(1_000);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => say(client, { message: `c${i}` })),
    );
    const ok = results.filter((r) => r.status.code === 0);
    const rejected = results.filter((r) => r.status.code === 14);
    expect(ok).toHaveLength(3);
    expect(rejected).toHaveLength(97);
    expect(f.server.count('Say')).toBe(3);
    expect(new Set(rejected.map((r) => header(r.status.metadata, 'x-circuit-state')))).toEqual(
      new Set(['half-open']),
    );
    expect(
      rejected.every(
        (r) => header(r.status.metadata, 'x-circuit-reject-reason') === 'half-open-full',
      ),
    ).toBe(true);
    expect(f.state(paths.say)).toBe('closed');
    expect(f.attemptsOf(paths.say)).toBe(4);
  });
});
