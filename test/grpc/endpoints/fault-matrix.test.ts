/**
 * The per-endpoint breaker against one sick endpoint among three, each server its own process:
 * every way an endpoint can fail, and the one way it must not be judged (NOT_FOUND answers).
 * Load: ~200 calls/s, 1 s deadline, bounded in count.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { closedAddress } from '../helpers/black-hole.js';
import {
  byServer,
  CircuitRegistry,
  drive,
  endpointClient,
  ipv4Target,
  openTimes,
  startServers,
  useServers,
  warm,
  type CallRecord,
} from './cluster.js';

const { servers, clients } = useServers(3);

async function cluster(addresses = servers.map((s) => s.address)) {
  const registry = new CircuitRegistry();
  // openMs: long enough that no endpoint comes back during a test.
  const { connect } = endpointClient({ registry, circuit: { slowCallMs: 150, openMs: 60_000 } });
  const client = connect(ipv4Target(addresses));
  clients.push(client);
  const opened = openTimes(registry);
  await warm(client);
  return { registry, client, opened };
}

/** The calls started at least `settleMs` after `t`. */
const after = (records: CallRecord[], t: number, settleMs = 30) =>
  records.filter((r) => r.startedAt > t + settleMs);

describe('per-endpoint breaker: fault matrix', () => {
  it('ejects an endpoint answering UNAVAILABLE; no later call fails or reaches it', async () => {
    const { client, opened } = await cluster();
    await servers[1]!.set({ kind: 'fail', code: grpc.status.UNAVAILABLE });
    const t0 = performance.now();
    const records = await drive(client, 300, 5);
    const at = opened.get(servers[1]!.address)!;
    expect(at - t0).toBeLessThan(1_000);
    const later = after(records, at);
    expect(later.length).toBeGreaterThan(100);
    expect(later.filter((r) => r.code !== grpc.status.OK)).toEqual([]);
    expect(byServer(later).s1).toBeUndefined();
    expect(records.filter((r) => r.code !== grpc.status.OK).length).toBeLessThan(20);
  });

  it('ejects a hung endpoint while its calls are still in flight (before any deadline)', async () => {
    const { client, opened } = await cluster();
    await servers[1]!.set({ kind: 'hang' });
    const t0 = performance.now();
    const records = await drive(client, 300, 5, 1_000);
    const at = opened.get(servers[1]!.address)!;
    expect(at - t0).toBeLessThan(900);
    const later = after(records, at);
    expect(later.filter((r) => r.code !== grpc.status.OK)).toEqual([]);
    expect(byServer(later).s1).toBeUndefined();
  });

  it('ejects a black-holed endpoint (its process stopped: TCP accepted, nothing answered)', async () => {
    const { client, opened } = await cluster();
    servers[2]!.signal('SIGSTOP');
    try {
      const t0 = performance.now();
      const records = await drive(client, 300, 5, 1_000);
      const at = opened.get(servers[2]!.address)!;
      expect(at - t0).toBeLessThan(900);
      const later = after(records, at);
      expect(later.filter((r) => r.code !== grpc.status.OK)).toEqual([]);
      expect(byServer(later).s2).toBeUndefined();
    } finally {
      servers[2]!.signal('SIGCONT');
    }
  });

  it('ejects a slow endpoint (every answer past slowCallMs)', async () => {
    const { client, opened } = await cluster();
    await servers[0]!.set({ kind: 'slow', ms: 400 });
    const t0 = performance.now();
    const records = await drive(client, 300, 5, 1_000);
    const at = opened.get(servers[0]!.address)!;
    expect(at - t0).toBeLessThan(900);
    expect(byServer(after(records, at)).s0).toBeUndefined();
    expect(records.every((r) => r.code === grpc.status.OK)).toBe(true);
  });

  it('never ejects on NOT_FOUND answers, from one endpoint or from all', async () => {
    const { client, registry } = await cluster();
    await servers[0]!.set({ kind: 'fail', code: grpc.status.NOT_FOUND });
    const one = await drive(client, 150, 5);
    await Promise.all(servers.map((s) => s.set({ kind: 'fail', code: grpc.status.NOT_FOUND })));
    const all = await drive(client, 150, 5);
    expect(registry.snapshot().filter((s) => s.state !== 'closed')).toEqual([]);
    // The NOT_FOUND endpoint kept its third of the calls; then every call was NOT_FOUND.
    expect(one.filter((r) => r.code === grpc.status.NOT_FOUND).length).toBeGreaterThan(30);
    expect(one.every((r) => r.code === grpc.status.OK || r.code === grpc.status.NOT_FOUND)).toBe(
      true,
    );
    expect(all.every((r) => r.code === grpc.status.NOT_FOUND)).toBe(true);
    const spread = registry.snapshot().map((s) => s.counts.successes);
    expect(Math.min(...spread)).toBeGreaterThan(60); // every endpoint kept its share
  });

  it('keeps every call succeeding when one address refuses connections', async () => {
    const refused = await closedAddress();
    const { client } = await cluster([...servers.map((s) => s.address), refused]);
    const records = await drive(client, 150, 5);
    expect(records.filter((r) => r.code !== grpc.status.OK)).toEqual([]);
  });

  it('loses only the calls in flight when an endpoint is killed mid-call', async () => {
    const [extra] = await startServers(1);
    const { client } = await cluster([...servers.map((s) => s.address), extra!.address]);
    await extra!.set({ kind: 'slow', ms: 50 });
    const run = drive(client, 300, 5, 1_000);
    await new Promise((r) => setTimeout(r, 300));
    const killedAt = performance.now();
    await extra!.kill();
    const records = await run;
    const failed = records.filter((r) => r.code !== grpc.status.OK);
    expect(failed.every((r) => r.code === grpc.status.UNAVAILABLE)).toBe(true);
    expect(failed.length).toBeLessThan(15);
    expect(after(records, killedAt, 100).filter((r) => r.code !== grpc.status.OK)).toEqual([]);
  });
});
