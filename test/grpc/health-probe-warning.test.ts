/**
 * A gRPC health probe against a server without the health service (UNIMPLEMENTED) can never pass:
 * the registry warns once per circuit through onWarning (or as a process warning when nobody
 * listens), while NOT_SERVING answers — a server that may still recover — warn nothing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { Fixture, getItem } from './helpers/fixture.js';
import { paths, type CatalogClient } from './helpers/services.js';
import { HealthServer } from './helpers/health-server.js';
import { createGrpcHealthProbe } from '../../src/grpc/health-probe.js';
import type { WarningEvent } from '../../src/registry/registry-events.js';

expectNoLeakedHandles();

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function probedCircuit(withHealth: boolean) {
  const h = await HealthServer.start({ withHealth });
  closers.push(() => h.close());
  if (withHealth) h.setHealth('NOT_SERVING', '');
  const ref: { client?: CatalogClient } = {};
  const probe = createGrpcHealthProbe(() => ref.client!, { timeoutMs: 1_000 });
  const f = await Fixture.create({
    server: false,
    methods: {
      [paths.getItem]: {
        circuit: { trip: { consecutiveFailures: 1 }, openMs: 1_000, halfOpenProbe: probe },
      },
    },
  });
  closers.unshift(() => f.close());
  const client = (ref.client = f.catalog(h.address));
  h.userStatus = grpc.status.UNAVAILABLE;
  await getItem(client, 'a');
  const circuit = f.registry.get(paths.getItem);
  expect(circuit.state).toBe('open');
  /** Lets `rounds` half-open checks run (each fails). */
  const probeRounds = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      f.clock.advance(1_000);
      await getItem(client, 'a');
      const end = Date.now() + 3_000;
      while (circuit.state === 'half-open' && Date.now() < end)
        await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { f, circuit, probeRounds };
}

describe('health probe warnings', () => {
  it('warns once through onWarning when the server has no health service', async () => {
    const { f, circuit, probeRounds } = await probedCircuit(false);
    const warnings: WarningEvent[] = [];
    f.registry.onWarning((w) => warnings.push(w));
    await probeRounds(3);
    expect(circuit.state).toBe('open');
    expect(warnings).toEqual([
      expect.objectContaining({ name: paths.getItem, code: 'HEALTH_CHECK_UNIMPLEMENTED' }),
    ]);
    expect(warnings[0]!.message).toContain('grpc.health.v1');
  });

  it('says nothing for a server whose health service answers NOT_SERVING', async () => {
    const { f, probeRounds } = await probedCircuit(true);
    const warnings: WarningEvent[] = [];
    f.registry.onWarning((w) => warnings.push(w));
    await probeRounds(2);
    expect(warnings).toEqual([]);
  });

  it('falls back to one process warning when nobody listens', async () => {
    const { probeRounds } = await probedCircuit(false);
    // Captured rather than printed: the test output stays free of deliberate warnings.
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      await probeRounds(2);
      const ours = warn.mock.calls.filter(
        ([, o]) => (o as { code?: string } | undefined)?.code === 'HEALTH_CHECK_UNIMPLEMENTED',
      );
      expect(ours).toHaveLength(1);
      expect(String(ours[0]![0])).toContain(paths.getItem);
    } finally {
      warn.mockRestore();
    }
  });
});
