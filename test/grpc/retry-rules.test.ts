/**
 * gRPC's retry rules (gRFC A6) in the interceptor's retries: server pushback
 * (`grpc-retry-pushback-ms`) sets the delay or stops retrying, and every retried attempt carries
 * `grpc-previous-rpc-attempts`. Against a real server that scripts its answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { services } from './helpers/services.js';

expectNoLeakedHandles();

/** One scripted answer: a failure with optional pushback trailers, or OK. */
type Step = { code: grpc.status; pushback?: string | string[] } | 'ok';

interface Scripted {
  address: string;
  /** Request metadata and arrival time (performance.now) of every call, in order. */
  seen: Array<{ previous: string[]; at: number }>;
  close(): void;
}

async function scriptedServer(steps: Step[]): Promise<Scripted> {
  const server = new grpc.Server();
  const seen: Scripted['seen'] = [];
  server.addService(services.Echo.service, {
    Say(call: grpc.ServerUnaryCall<{ message: string }, unknown>, cb: grpc.sendUnaryData<unknown>) {
      seen.push({
        previous: call.metadata.get('grpc-previous-rpc-attempts').map(String),
        at: performance.now(),
      });
      const step = steps[seen.length - 1] ?? 'ok';
      if (step === 'ok') return cb(null, { message: call.request.message, server: 'scripted' });
      const trailers = new grpc.Metadata();
      for (const v of [step.pushback ?? []].flat()) trailers.add('grpc-retry-pushback-ms', v);
      cb({ code: step.code, details: `scripted ${step.code}`, metadata: trailers });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, seen, close: () => server.forceShutdown() };
}

let f: Fixture;
let scripted: Scripted | undefined;
afterEach(async () => {
  scripted?.close();
  scripted = undefined;
  await f?.close();
});

const retry = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2_000 };
const UNAVAILABLE = grpc.status.UNAVAILABLE;

describe('gRFC A6 rules in the interceptor’s retries', () => {
  it('sends grpc-previous-rpc-attempts on retried attempts only', async () => {
    f = await Fixture.create({ defaults: { retry } });
    scripted = await scriptedServer([{ code: UNAVAILABLE }, { code: UNAVAILABLE }, 'ok']);
    const r = await say(f.echo(scripted.address));
    expect(r.error).toBeNull();
    expect(scripted.seen.map((s) => s.previous)).toEqual([[], ['1'], ['2']]);
  });

  it('waits the delay a server pushes back with', async () => {
    f = await Fixture.create({ defaults: { retry } });
    scripted = await scriptedServer([{ code: UNAVAILABLE, pushback: '300' }, 'ok']);
    const r = await say(f.echo(scripted.address));
    expect(r.error).toBeNull();
    const [first, second] = scripted.seen;
    // Without pushback the backoff here is at most 1 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(290);
  });

  it('does not retry when the pushback is negative or malformed', async () => {
    for (const pushback of ['-1', 'soon', '1.5', ['10', '20']]) {
      f = await Fixture.create({ defaults: { retry } });
      scripted = await scriptedServer([{ code: UNAVAILABLE, pushback }, 'ok']);
      const r = await say(f.echo(scripted.address));
      expect(r.error?.code).toBe(UNAVAILABLE);
      expect(scripted.seen).toHaveLength(1);
      scripted.close();
      await f.close();
    }
  });

  it('stops instead of waiting longer than maxDelayMs, or past the deadline', async () => {
    f = await Fixture.create({ defaults: { retry } });
    scripted = await scriptedServer([{ code: UNAVAILABLE, pushback: '60000' }, 'ok']);
    const started = performance.now();
    const r = await say(f.echo(scripted.address));
    expect(r.error?.code).toBe(UNAVAILABLE);
    expect(scripted.seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1_500);
    scripted.close();
    await f.close();

    f = await Fixture.create({ defaults: { retry } });
    scripted = await scriptedServer([{ code: UNAVAILABLE, pushback: '1500' }, 'ok']);
    const r2 = await say(f.echo(scripted.address), {}, { options: { deadline: Date.now() + 500 } });
    expect(r2.error?.code).toBe(UNAVAILABLE);
    expect(scripted.seen).toHaveLength(1);
  });
});
