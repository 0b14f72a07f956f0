/**
 * `registry.get(name, policy)` for a circuit that already exists with another policy: the policy
 * is not applied (the circuit is shared), and the conflict is reported once per circuit as a
 * process warning naming the options that differ.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { POLICY_CONFLICT_WARNING } from '../../src/registry/policy-conflict.js';
import { Fixture, say } from '../grpc/helpers/fixture.js';
import { paths } from '../grpc/helpers/services.js';

const warnings: Array<Error & { code?: string }> = [];
// Captured rather than printed: these warnings are the subject of the tests, not noise in
// `npm test`'s output.
const spy = vi.spyOn(process, 'emitWarning').mockImplementation(((
  message: string,
  options?: { code?: string; type?: string },
) => {
  const w = Object.assign(new Error(message), { code: options?.code });
  w.name = options?.type ?? 'Warning';
  warnings.push(w);
}) as typeof process.emitWarning);
afterAll(() => {
  spy.mockRestore();
});
let f: Fixture | undefined;
afterEach(async () => {
  warnings.length = 0;
  await f?.close();
  f = undefined;
});

/** Warnings are emitted on a later tick. */
async function conflicts(): Promise<Array<Error & { code?: string }>> {
  await new Promise((r) => setImmediate(r));
  return warnings.filter((w) => w.code === POLICY_CONFLICT_WARNING);
}

describe('a circuit asked for with a different policy', () => {
  it('keeps its first policy and warns once, naming the options that differ', async () => {
    const registry = new CircuitRegistry();
    const c = registry.get('pay', { openMs: 1_000, trip: { consecutiveFailures: 2 } });
    expect(registry.get('pay', { openMs: 5_000, trip: { consecutiveFailures: 2 } })).toBe(c);
    expect(registry.get('pay', { openMs: 7_000, maxConcurrent: 3 })).toBe(c);
    expect(c.policy.openMs.initialMs).toBe(1_000);
    const found = await conflicts();
    expect(found).toHaveLength(1);
    expect(found[0]!.name).toBe('RpcBreakerWarning');
    expect(found[0]!.message).toContain('circuit "pay" already exists with a different policy');
    expect(found[0]!.message).toContain('differs in openMs');
  });

  it('does not warn for an equal policy written twice, nor for get(name) alone', async () => {
    const registry = new CircuitRegistry({ defaults: { openMs: 2_000 } });
    const probe = () => Promise.resolve();
    registry.get('a', { trip: { failureRate: 0.5, windowCalls: 20 }, halfOpenProbe: probe });
    registry.get('a', { trip: { failureRate: 0.5, windowCalls: 20 }, halfOpenProbe: probe });
    registry.get('a');
    registry.get('b', { openMs: 2_000 });
    registry.get('b');
    expect(await conflicts()).toEqual([]);
  });

  it('tells two health checks apart', async () => {
    const registry = new CircuitRegistry();
    registry.get('h', { halfOpenProbe: () => Promise.resolve() });
    registry.get('h', { halfOpenProbe: () => Promise.resolve() });
    const found = await conflicts();
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('differs in halfOpenProbe');
  });

  it('warns when circuitName maps two gRPC methods with different circuit policies together', async () => {
    f = await Fixture.create({
      circuitName: () => 'echo',
      methods: {
        [paths.say]: { circuit: { openMs: 1_000 } },
        [paths.collect]: { circuit: { openMs: 9_000 } },
      },
    });
    const client = f.echo();
    expect((await say(client)).error).toBeNull();
    expect(await conflicts()).toEqual([]);
    await new Promise<void>((resolve) => {
      const call = client.Collect(new grpc.Metadata(), {}, () => resolve());
      call.end();
    });
    const found = await conflicts();
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('circuit "echo"');
    expect(f.registry.get('echo').policy.openMs.initialMs).toBe(1_000);
  });
});
