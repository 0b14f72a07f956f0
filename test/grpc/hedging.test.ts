/**
 * Hedged unary calls against a real server whose answers are scripted per arrival: a further
 * attempt after the delay, first answer wins, the loser is cancelled on the wire and counted as
 * nothing; failures hedge at once; budget, circuit, idempotency, cancellation and a closed
 * channel all stop hedges.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../src/core/errors.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say, type FixtureOptions } from './helpers/fixture.js';
import { paths, services } from './helpers/services.js';

expectNoLeakedHandles();

/** What the n-th arriving call does. */
type Step = { delayMs?: number; code?: grpc.status };

interface Scripted {
  address: string;
  arrivals: Array<{ at: number; previous: string[] }>;
  cancelled: number;
  close(): void;
}

async function scriptedServer(script: (n: number) => Step): Promise<Scripted> {
  const server = new grpc.Server();
  const timers = new Set<NodeJS.Timeout>();
  const s: Scripted = {
    address: '',
    arrivals: [],
    cancelled: 0,
    close: () => {
      for (const t of timers) clearTimeout(t);
      server.forceShutdown();
    },
  };
  server.addService(services.Echo.service, {
    Say(call: grpc.ServerUnaryCall<{ message: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      const n = s.arrivals.length;
      s.arrivals.push({
        at: performance.now(),
        previous: call.metadata.get('grpc-previous-rpc-attempts').map(String),
      });
      const step = script(n);
      let done = false;
      call.on('cancelled', () => {
        if (!done) s.cancelled++;
        done = true;
      });
      const answer = () => {
        if (done) return;
        done = true;
        if (step.code) cb({ code: step.code, details: `attempt ${n + 1} failed` });
        else cb(null, { message: call.request.message, server: `attempt-${n + 1}` });
      };
      if (!step.delayMs) return answer();
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, step.delayMs);
      timers.add(t);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  s.address = `127.0.0.1:${port}`;
  return s;
}

let f: Fixture | undefined;
let scripted: Scripted | undefined;
afterEach(async () => {
  scripted?.close();
  scripted = undefined;
  await f?.close();
  f = undefined;
});

const hedged = (hedging: object, extra: FixtureOptions['defaults'] = {}): FixtureOptions => ({
  server: false,
  methods: { [paths.say]: { idempotent: true, hedging, ...extra } },
});

describe('hedging', () => {
  it('sends a second attempt after delayMs; the first answer wins and the loser is cancelled', async () => {
    f = await Fixture.create(hedged({ delayMs: 50 }));
    scripted = await scriptedServer((n) => (n === 0 ? { delayMs: 3_000 } : {}));
    const started = performance.now();
    const r = await say(f.echo(scripted.address), { message: 'hi' });
    expect(r.error).toBeNull();
    expect(r.value).toMatchObject({ message: 'hi', server: 'attempt-2' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(scripted.arrivals).toHaveLength(2);
    // The hedge cannot go out before its delay (the first arrival's time says little under load).
    expect(scripted.arrivals[1]!.at - started).toBeGreaterThanOrEqual(49);
    expect(scripted.arrivals.map((a) => a.previous)).toEqual([[], ['1']]);
    await waitFor(() => scripted!.cancelled === 1);
    const counts = f.registry.get(paths.say).snapshot().counts;
    expect(counts).toMatchObject({ successes: 1, failures: 0, ignored: 1 });
  });

  it('sends no hedge when the first attempt answers within the delay', async () => {
    f = await Fixture.create(hedged({ delayMs: 1_000 }));
    scripted = await scriptedServer(() => ({}));
    for (let i = 0; i < 5; i++) expect((await say(f.echo(scripted.address))).error).toBeNull();
    expect(scripted.arrivals).toHaveLength(5);
  });

  it('hedges at once when an attempt fails, and answers with the last failure when all do', async () => {
    f = await Fixture.create(hedged({ delayMs: 5_000, maxAttempts: 3 }));
    scripted = await scriptedServer(() => ({ code: grpc.status.UNAVAILABLE }));
    const started = performance.now();
    const r = await say(f.echo(scripted.address));
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(r.error?.details).toBe('attempt 3 failed');
    expect(scripted.arrivals).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('delivers a business answer (NOT_FOUND) as the winner without hedging further', async () => {
    f = await Fixture.create(hedged({ delayMs: 5_000, maxAttempts: 3 }));
    scripted = await scriptedServer(() => ({ code: grpc.status.NOT_FOUND }));
    const r = await say(f.echo(scripted.address));
    expect(r.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(scripted.arrivals).toHaveLength(1);
  });

  it('hedges at a percentile of the method’s recent latency', async () => {
    f = await Fixture.create(hedged({ percentile: 0.9, minDelayMs: 20 }));
    let slowFrom = Infinity;
    scripted = await scriptedServer((n) =>
      n >= slowFrom && n === slowFrom ? { delayMs: 3_000 } : {},
    );
    const client = f.echo(scripted.address);
    for (let i = 0; i < 25; i++) await say(client); // learns a fast latency
    expect(scripted.arrivals).toHaveLength(25);
    slowFrom = 25;
    const started = performance.now();
    const r = await say(client);
    expect(r.error).toBeNull();
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(scripted.arrivals).toHaveLength(27);
  });

  it('stops hedging when the budget is spent', async () => {
    f = await Fixture.create(hedged({ delayMs: 10, budget: { ratio: 0, minPerSecond: 0.2 } }));
    scripted = await scriptedServer(() => ({ delayMs: 60 }));
    const client = f.echo(scripted.address);
    for (let i = 0; i < 6; i++) expect((await say(client)).error).toBeNull();
    // 0.2/s over the 10 s window: two hedges, then none.
    expect(scripted.arrivals).toHaveLength(6 + 2);
  });

  it('sends no hedge while the circuit is open', async () => {
    f = await Fixture.create(
      hedged({ delayMs: 1_000 }, { circuit: { trip: { consecutiveFailures: 1 }, openMs: 60_000 } }),
    );
    scripted = await scriptedServer(() => ({ delayMs: 2_000 }));
    const call = say(f.echo(scripted.address));
    await waitFor(() => scripted!.arrivals.length === 1);
    f.registry.get(paths.say).forceOpen();
    const r = await call;
    expect(r.error).toBeNull();
    expect(scripted.arrivals).toHaveLength(1);
  });

  it('cancels every attempt and sends no more when the caller cancels', async () => {
    f = await Fixture.create(hedged({ delayMs: 30, maxAttempts: 3 }));
    scripted = await scriptedServer(() => ({ delayMs: 5_000 }));
    let cancel: () => void = () => {};
    const pending = say(f.echo(scripted.address), {}, {}, (c) => (cancel = () => c.cancel()));
    await waitFor(() => scripted!.arrivals.length === 2);
    cancel();
    const r = await pending;
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    await waitFor(() => scripted!.cancelled === 2);
    await new Promise((res) => setTimeout(res, 80));
    expect(scripted.arrivals).toHaveLength(2);
    expect(f.registry.get(paths.say).snapshot().counts).toMatchObject({ failures: 0, ignored: 2 });
  });

  it('survives a client closed while a hedge waits', async () => {
    f = await Fixture.create(hedged({ delayMs: 50 }));
    scripted = await scriptedServer(() => ({ delayMs: 300 }));
    const client = f.echo(scripted.address);
    const pending = say(client);
    await waitFor(() => scripted!.arrivals.length === 1);
    client.close();
    await new Promise((res) => setTimeout(res, 120)); // the hedge timer fires on a closed channel
    const r = await pending;
    expect(r.error === null || r.error.code === grpc.status.UNAVAILABLE).toBe(true);
    expect(scripted.arrivals).toHaveLength(1);
  });

  it('refuses hedging on a method not known to be idempotent, and in Thrift-style misuse', () => {
    expect(() =>
      createGrpcBreakerInterceptor({ methods: { [paths.say]: { hedging: { delayMs: 5 } } } }),
    ).toThrow(ConfigError);
    expect(() =>
      createGrpcBreakerInterceptor({ methods: { [paths.say]: { hedging: { delayMs: 5 } } } }),
    ).toThrow('hedging asks to hedge a method not known to be idempotent');
    for (const [hedging, message] of [
      [{}, 'needs exactly one of delayMs and percentile'],
      [{ delayMs: 5, percentile: 0.9 }, 'needs exactly one of delayMs and percentile'],
      [{ delayMs: NaN }, 'hedging.delayMs must be a finite number >= 0; got NaN'],
      [{ percentile: 1 }, 'hedging.percentile must be in [0.5, 1); got 1'],
      [{ delayMs: 5, maxAttempts: 9 }, 'hedging.maxAttempts must be at most 5; got 9'],
    ] as const) {
      expect(() =>
        createGrpcBreakerInterceptor({ defaults: { hedging: hedging as never } }),
      ).toThrow(message);
    }
  });

  it('hedges through defaults only the methods known to be idempotent', async () => {
    f = await Fixture.create({
      defaults: { hedging: { delayMs: 30 } },
      methods: { [paths.say]: { idempotent: false } },
    });
    scripted = await scriptedServer(() => ({ delayMs: 150 }));
    expect((await say(f.echo(scripted.address))).error).toBeNull();
    expect(scripted.arrivals).toHaveLength(1);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((res) => setTimeout(res, 5));
  }
}
