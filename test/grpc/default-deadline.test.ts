/**
 * Defaults that protect: a unary call that carries no deadline and whose policy names no
 * `timeoutMs` gets DEFAULT_GRPC_UNARY_TIMEOUT_MS, so a hung server opens the circuit with the
 * package's defaults; streams get no default deadline (they are often long-lived on purpose).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_GRPC_UNARY_TIMEOUT_MS } from '../../src/grpc/method-runtime.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { readStream } from './helpers/calls.js';
import { paths } from './helpers/services.js';
import { hang } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

/** The deadline each call passed below the breaker carried, ms from the call's start. */
function recordDeadlines(fixture: Fixture): Map<string, number | undefined> {
  const seen = new Map<string, number | undefined>();
  fixture.onClose(() => seen.clear());
  const original = fixture.below;
  (fixture as { below: grpc.Interceptor }).below = (options, next) => {
    const d = options.deadline;
    seen.set(
      options.method_definition.path,
      d === undefined ? undefined : (d instanceof Date ? d.getTime() : d) - Date.now(),
    );
    return original(options, next);
  };
  return seen;
}

describe('the default gRPC deadline', () => {
  it('gives unary calls without one 10 s, and streams none', async () => {
    f = await Fixture.create();
    const seen = recordDeadlines(f);
    const client = f.echo();
    expect((await say(client)).error).toBeNull();
    await readStream(client.Repeat({ message: 'x', count: 1 }));
    expect(DEFAULT_GRPC_UNARY_TIMEOUT_MS).toBe(10_000);
    expect(seen.get(paths.say)).toBeGreaterThan(9_000);
    expect(seen.get(paths.say)).toBeLessThanOrEqual(10_000);
    expect(seen.has(paths.repeat)).toBe(true);
    expect(seen.get(paths.repeat)).toBeUndefined();
  });

  it("keeps the caller's own deadline and the policy's timeoutMs", async () => {
    f = await Fixture.create({ methods: { [paths.say]: { timeoutMs: 2_000 } } });
    const seen = recordDeadlines(f);
    const client = f.echo();
    await say(client);
    expect(seen.get(paths.say)).toBeLessThanOrEqual(2_000);
    await say(client, {}, { options: { deadline: Date.now() + 60_000 } });
    expect(seen.get(paths.say)).toBeGreaterThan(50_000);
  });

  it('opens the circuit on a hung server with nothing but the defaults', async () => {
    f = await Fixture.create({ manualClock: false });
    f.server.set(hang);
    const client = f.echo();
    // The default trip is 5 consecutive failures: five hung calls, each ended by the default.
    const calls = await Promise.all(Array.from({ length: 5 }, () => say(client)));
    for (const r of calls) expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(f.state(paths.say)).toBe('open');
  }, 30_000);
});
