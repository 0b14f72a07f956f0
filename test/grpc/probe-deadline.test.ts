/**
 * `halfOpenProbeTimeoutMs` through the interceptor: a health check that never settles no longer
 * keeps a circuit half-open (rejecting every call) for ever; past its deadline it is a failure,
 * and the next half-open period runs a fresh check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, say } from './helpers/fixture.js';
import { header } from './helpers/calls.js';
import { paths } from './helpers/services.js';
import { fail, ok } from './helpers/test-server.js';

expectNoLeakedHandles();

let f: Fixture;
afterEach(async () => {
  await f?.close();
});

describe('a half-open circuit whose health check never settles', () => {
  it('re-opens at the check’s deadline and probes afresh, then closes', async () => {
    const checks: Array<(ok: boolean) => void> = [];
    const halfOpenProbe = () =>
      new Promise<void>((resolve, reject) =>
        checks.push((ok) => (ok ? resolve() : reject(new Error('down')))),
      );
    f = await Fixture.create({
      defaults: {
        circuit: {
          trip: { consecutiveFailures: 1 },
          openMs: 1_000,
          halfOpenProbe,
          halfOpenProbeTimeoutMs: 5_000,
        },
      },
    });
    const client = f.echo();
    f.server.set(fail(grpc.status.UNAVAILABLE));
    await say(client); // creates the circuit with the interceptor's policy, and trips it
    f.server.set(ok);
    const circuit = f.registry.get(paths.say);
    expect(circuit.state).toBe('open');
    f.clock.advance(1_000);
    const during = await say(client);
    expect(header(during.status.metadata, 'x-circuit-reject-reason')).toBe('half-open-full');
    expect(checks).toHaveLength(1);

    f.clock.advance(5_000); // the check is overdue: the next call finds the circuit open again
    const after = await say(client);
    expect(after.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(header(after.status.metadata, 'x-circuit-state')).toBe('open');
    expect(circuit.snapshot().lastTripReason).toBe('probe-failure');
    checks[0]!(true); // too late: dropped
    await new Promise((r) => setImmediate(r));
    expect(circuit.state).toBe('open');

    f.clock.advance(1_000);
    expect(circuit.state).toBe('half-open');
    expect(checks).toHaveLength(2);
    checks[1]!(true);
    await new Promise((r) => setImmediate(r));
    expect(circuit.state).toBe('closed');
    expect((await say(client)).error).toBeNull();
  });
});
