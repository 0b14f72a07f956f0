/**
 * The per-endpoint breaker when the channel's address list changes at run time (a resolver
 * update, as DNS or Kubernetes would send): four Echo servers, each its own process, behind a
 * channel whose target resolves through the test resolver (`rbtest:<name>`).
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { EchoClient } from '../helpers/services.js';
import {
  byServer,
  CircuitRegistry,
  drive,
  driveUntil,
  endpointClient,
  useServers,
  warm,
  type CallRecord,
} from './cluster.js';
import { resolverTarget, setAddresses } from './test-resolver.js';

const { servers, clients } = useServers(4);
let seq = 0;

const sick = { kind: 'fail', code: grpc.status.UNAVAILABLE } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A channel resolving to servers `ids`; `list(ids)` changes its addresses. */
async function cluster(ids: number[], opts: { maxEjectionPercent?: number; openMs?: number } = {}) {
  const registry = new CircuitRegistry();
  const opened = new Map<string, number>();
  registry.onStateChange((e) => {
    if (e.to === 'open') opened.set(e.name.replace(/^endpoint:/, ''), performance.now());
  });
  const name = `addresses-${++seq}`;
  const list = (next: number[]) =>
    setAddresses(
      name,
      next.map((i) => servers[i]!.address),
    );
  list(ids);
  const { connect } = endpointClient(
    { registry, circuit: { openMs: opts.openMs ?? 60_000 } },
    opts.maxEjectionPercent === undefined ? {} : { maxEjectionPercent: opts.maxEjectionPercent },
  );
  const client = connect(resolverTarget(name));
  clients.push(client);
  await warm(client);
  return { registry, client, list, opened };
}

/** Calls started at least `settleMs` after `t`. */
const after = (records: CallRecord[], t: number, settleMs = 50) =>
  records.filter((r) => r.startedAt > t + settleMs);
/** Sick server ids (among `ids`) that got no call in `records`. */
const unreached = (records: CallRecord[], ids: number[]) =>
  ids.filter((i) => byServer(records)[`s${i}`] === undefined);
/** Drives calls until both sick endpoints' circuits opened; returns the 80 calls after. */
async function settle(client: EchoClient, opened: Map<string, number>): Promise<CallRecord[]> {
  const records = await driveUntil(client, () => opened.size >= 2, 80);
  return after(records, Math.max(...opened.values()));
}
const circuitOf = (registry: CircuitRegistry, i: number) =>
  registry.find(`endpoint:${servers[i]!.address}`);

describe('per-endpoint breaker: address list changes', () => {
  it('sends calls to an added endpoint', async () => {
    const { client, list } = await cluster([0, 1]);
    const before = await drive(client, 40, 5);
    expect(Object.keys(byServer(before)).sort()).toEqual(['s0', 's1']);
    list([0, 1, 2]);
    const t = performance.now();
    const records = await drive(client, 120, 5);
    expect(byServer(after(records, t, 100)).s2).toBeGreaterThan(15);
    expect(records.every((r) => r.code === grpc.status.OK)).toBe(true);
  });

  it('lets calls in flight on a removed endpoint complete, then stops feeding its circuit', async () => {
    const { registry, client, list } = await cluster([0, 1, 2]);
    await servers[2]!.set({ kind: 'slow', ms: 400 });
    const run = drive(client, 60, 5);
    await sleep(150);
    list([0, 1]);
    const removedAt = performance.now();
    const records = await run;
    const onRemoved = records.filter((r) => r.server === 's2');
    expect(onRemoved.length).toBeGreaterThan(5);
    // In flight when the endpoint left: every one completed, none failed.
    expect(records.every((r) => r.code === grpc.status.OK)).toBe(true);
    expect(after(onRemoved, removedAt)).toEqual([]);
    const counts = circuitOf(registry, 2)!.snapshot().counts;
    const more = await drive(client, 60, 5);
    expect(byServer(more).s2).toBeUndefined();
    expect(circuitOf(registry, 2)!.snapshot().counts).toEqual(counts);
  });

  it("frees a removed ejected endpoint's slot under the cap", async () => {
    // Cap 25 %: one endpoint of four (or of three) at once.
    const { client, list, opened } = await cluster([0, 1, 2, 3], { maxEjectionPercent: 25 });
    await Promise.all([servers[2]!.set(sick), servers[3]!.set(sick)]);
    const first = await settle(client, opened);
    const out = unreached(first, [2, 3]);
    expect(out).toHaveLength(1);
    const ejected = out[0]!;
    const other = ejected === 2 ? 3 : 2;
    list([0, 1, other]);
    const t = performance.now();
    const records = after(await drive(client, 120, 5), t, 100);
    expect(byServer(records)[`s${other}`]).toBeUndefined();
    expect(records.filter((r) => r.code !== grpc.status.OK)).toEqual([]);
  });

  it('keeps to the cap when the list shrinks under the ejected endpoints', async () => {
    // Default cap 50 %: two of four ejected; of three, only one may be.
    const { client, list, opened } = await cluster([0, 1, 2, 3]);
    await Promise.all([servers[2]!.set(sick), servers[3]!.set(sick)]);
    const first = await settle(client, opened);
    expect(unreached(first, [2, 3])).toHaveLength(2);
    list([0, 2, 3]);
    const t = performance.now();
    const records = after(await drive(client, 120, 5), t, 100);
    expect(unreached(records, [2, 3])).toHaveLength(1);
  });

  it('keeps an ejected endpoint out when it is removed and re-added, until its open period ends', async () => {
    const OPEN_MS = 1_500;
    const { registry, client, list, opened } = await cluster([0, 1, 2], { openMs: OPEN_MS });
    await servers[2]!.set(sick);
    await driveUntil(client, () => opened.size > 0);
    const at = opened.get(servers[2]!.address)!;
    expect(at).toBeDefined();
    list([0, 1]);
    await drive(client, 20, 5);
    // Back in the list, and healthy again: still out for the rest of its open period.
    await servers[2]!.set({ kind: 'ok' });
    list([0, 1, 2]);
    expect(performance.now()).toBeLessThan(at + OPEN_MS - 300);
    const records = await driveUntil(client, () => performance.now() > at + OPEN_MS, 150);
    const onIt = records.filter((r) => r.server === 's2');
    expect(onIt.length).toBeGreaterThan(30);
    expect(Math.min(...onIt.map((r) => r.startedAt))).toBeGreaterThan(at + OPEN_MS - 50);
    expect(records.every((r) => r.code === grpc.status.OK)).toBe(true);
    expect(circuitOf(registry, 2)!.state).toBe('closed');
  });
});
