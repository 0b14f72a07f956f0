/**
 * The ejection cap of the per-endpoint breaker, and what happens when every endpoint is sick:
 * four Echo servers, each its own process, behind one channel. Sick servers answer UNAVAILABLE
 * ("injected failure"); load ~200 calls/s, 1 s deadline, bounded in count.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { paths, type EchoClient } from '../helpers/services.js';
import { createGrpcBreakerInterceptor } from '../../../src/grpc/interceptor.js';
import {
  byServer,
  CircuitRegistry,
  drive,
  endpointClient,
  ipv4Target,
  useServers,
  warm,
  type CallRecord,
} from './cluster.js';

const { servers, clients } = useServers(4);

const sick = { kind: 'fail', code: grpc.status.UNAVAILABLE } as const;

/**
 * A channel over the four servers (with `extra` channel options, e.g. interceptors); open
 * periods long enough that nobody comes back.
 */
async function cluster(
  config: { maxEjectionPercent?: number } = {},
  registration: { maxEjectionPercent?: number } = {},
  extra: grpc.ChannelOptions = {},
  registry = new CircuitRegistry(),
) {
  const { connect } = endpointClient(
    { registry, circuit: { openMs: 60_000 }, ...registration },
    config,
  );
  const client = connect(ipv4Target(servers.map((s) => s.address)), extra);
  clients.push(client);
  await warm(client);
  return { registry, client };
}

/** Makes servers `ids` sick, drives calls and returns those of the second half (settled). */
async function sickRun(client: EchoClient, ids: number[], count = 200): Promise<CallRecord[]> {
  await Promise.all(ids.map((i) => servers[i]!.set(sick)));
  const records = await drive(client, count, 5);
  return records.slice(count / 2);
}

/** Server ids that got no call among `records`. */
const unreached = (records: CallRecord[]) => {
  const seen = byServer(records);
  return servers.map((_, i) => `s${i}`).filter((id) => seen[id] === undefined);
};

/** Circuits of endpoints that are open. */
const openEndpoints = (registry: CircuitRegistry) =>
  registry.snapshot().filter((s) => s.name.startsWith('endpoint:') && s.state === 'open');

describe('per-endpoint breaker: ejection cap', () => {
  it('ejects at most half of four endpoints by default; the third sick one keeps its calls', async () => {
    const { registry, client } = await cluster();
    const later = await sickRun(client, [1, 2, 3]);
    expect(openEndpoints(registry)).toHaveLength(3);
    const out = unreached(later);
    expect(out).toHaveLength(2);
    expect(out).not.toContain('s0');
    // The sick endpoint over the cap still gets its share of the calls, and fails them.
    const failed = later.filter((r) => r.code !== grpc.status.OK);
    expect(failed.length).toBeGreaterThan(20);
    expect(failed.every((r) => r.details === 'injected failure')).toBe(true);
    expect(byServer(later).s0).toBeGreaterThan(20);
  });

  it("honours a channel's max_ejection_percent (25: one endpoint of four)", async () => {
    const { registry, client } = await cluster({ maxEjectionPercent: 25 });
    const later = await sickRun(client, [1, 2, 3]);
    expect(openEndpoints(registry)).toHaveLength(3);
    expect(unreached(later)).toHaveLength(1);
    expect(later.filter((r) => r.code !== grpc.status.OK).length).toBeGreaterThan(35);
  });

  it('honours the registration cap (75: three of four) when the channel sets none', async () => {
    const { client } = await cluster({}, { maxEjectionPercent: 75 });
    const later = await sickRun(client, [1, 2, 3]);
    expect(unreached(later).sort()).toEqual(['s1', 's2', 's3']);
    expect(later.filter((r) => r.code !== grpc.status.OK)).toEqual([]);
  });

  it('ejects nobody with a cap of 0', async () => {
    const { registry, client } = await cluster({ maxEjectionPercent: 0 });
    const later = await sickRun(client, [3]);
    expect(openEndpoints(registry)).toHaveLength(1);
    expect(unreached(later)).toEqual([]);
  });
});

describe('per-endpoint breaker: every endpoint sick', () => {
  it("uses every endpoint: calls fail fast with the servers' own status, none for want of an endpoint", async () => {
    const { registry, client } = await cluster();
    const records = await drive(client, 100, 5);
    await Promise.all(servers.map((s) => s.set(sick)));
    const all = await drive(client, 240, 5);
    expect(records.every((r) => r.code === grpc.status.OK)).toBe(true);
    expect(openEndpoints(registry)).toHaveLength(4);
    for (const r of all) {
      expect(r.code).toBe(grpc.status.UNAVAILABLE);
      expect(r.details).toBe('injected failure');
      expect(r.ms).toBeLessThan(500);
    }
    const later = all.slice(120);
    expect(unreached(later)).toEqual([]);
    // Once they recover, every call succeeds again (all were kept in use).
    await Promise.all(servers.map((s) => s.set({ kind: 'ok' })));
    const healed = await drive(client, 40, 5);
    expect(healed.every((r) => r.code === grpc.status.OK)).toBe(true);
  });
});

describe('per-endpoint breaker under the method interceptor', () => {
  it('keeps the method circuit closed while one endpoint is sick; opens it when all are', async () => {
    const registry = new CircuitRegistry();
    // 20 % failures over 100 calls: one sick endpoint of four left in rotation (25 %) would trip it.
    const interceptor = createGrpcBreakerInterceptor({
      registry,
      target: 'echo',
      defaults: {
        circuit: { trip: { failureRate: 0.2, windowCalls: 100, minimumCalls: 60 }, openMs: 60_000 },
      },
    });
    const { client } = await cluster({}, {}, { interceptors: [interceptor] }, registry);
    const method = () => registry.find(`echo${paths.say}`)!;
    const oneSick = await sickRun(client, [2], 200);
    expect(method().state).toBe('closed');
    expect(oneSick.every((r) => r.code === grpc.status.OK)).toBe(true);
    await Promise.all(servers.map((s) => s.set(sick)));
    const all = await drive(client, 200, 5);
    expect(method().state).toBe('open');
    // Once open, calls are refused by the method circuit and reach no server.
    const refused = all.slice(150);
    expect(refused.every((r) => r.code === grpc.status.UNAVAILABLE && r.server === '')).toBe(true);
  });
});
