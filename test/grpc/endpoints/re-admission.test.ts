/**
 * How an ejected endpoint comes back through its circuit's half-open state: by a limited number
 * of real calls (the default), or by a grpc.health.v1 check on that endpoint's own connection.
 * Three Echo servers, each its own process (serving grpc.health.v1 too); open periods of 600 ms
 * doubling, so every test sees one or two half-open periods within ~3 s of ~200 calls/s.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { EndpointBreakerOptions } from '../../../src/grpc/endpoints/endpoint-options.js';
import {
  CircuitRegistry,
  drive,
  driveUntil,
  endpointClient,
  ipv4Target,
  useServers,
  warm,
  type CallRecord,
} from './cluster.js';

const { servers, clients } = useServers(3, { health: true });

const OPEN_MS = 600;
const sick = { kind: 'fail', code: grpc.status.UNAVAILABLE } as const;

/** One state change of an endpoint circuit, with when it happened (performance.now()). */
interface Transition {
  address: string;
  to: string;
  at: number;
}

async function cluster(readmission?: EndpointBreakerOptions['readmission']) {
  const registry = new CircuitRegistry();
  const log: Transition[] = [];
  registry.onStateChange((e) =>
    log.push({ address: e.name.replace(/^endpoint:/, ''), to: e.to, at: performance.now() }),
  );
  const { connect } = endpointClient({
    registry,
    circuit: { slowCallMs: 300, openMs: { initialMs: OPEN_MS, maxMs: 2 * OPEN_MS } },
    ...(readmission ? { readmission } : {}),
  });
  const client = connect(ipv4Target(servers.map((s) => s.address)));
  clients.push(client);
  await warm(client);
  return { registry, client, log };
}

/** The state changes of server `i`'s endpoint circuit. */
const of = (log: Transition[], i: number) => log.filter((t) => t.address === servers[i]!.address);
/** Calls answered by server `i` that started after `t` (plus 30 ms for calls already picked). */
const reached = (records: CallRecord[], i: number, t: number) =>
  records.filter((r) => r.server === `s${i}` && r.startedAt > t + 30);

describe('per-endpoint breaker: re-admission by real calls', () => {
  it('takes a recovered endpoint back after its open period and one probe call', async () => {
    const { registry, client, log } = await cluster();
    await servers[1]!.set(sick);
    const first = await driveUntil(client, () => of(log, 1).length > 0);
    const [opened] = of(log, 1);
    expect(opened?.to).toBe('open');
    await servers[1]!.set({ kind: 'ok' });
    const second = await drive(client, 300, 5);
    const states = of(log, 1).map((t) => t.to);
    expect(states).toEqual(['open', 'half-open', 'closed']);
    const [, halfOpen, closed] = of(log, 1);
    expect(halfOpen!.at - opened!.at).toBeGreaterThanOrEqual(OPEN_MS - 20);
    // Out while open; then back in rotation with its share of the calls.
    const all = [...first, ...second];
    const early = reached(all, 1, opened!.at).filter((r) => r.startedAt < halfOpen!.at - 30);
    expect(early).toEqual([]);
    expect(reached(all, 1, closed!.at).length).toBeGreaterThan(40);
    expect(second.every((r) => r.code === grpc.status.OK)).toBe(true);
    expect(registry.find(`endpoint:${servers[1]!.address}`)?.state).toBe('closed');
  });

  it('lets one probe call through while half-open; a failed probe ejects it for twice as long', async () => {
    const { client, log } = await cluster();
    // A hung endpoint: its probe stays in flight until its 400 ms deadline, and meanwhile no
    // other call may reach it.
    await servers[2]!.set({ kind: 'hang' });
    const records = await driveUntil(client, () => of(log, 2).length >= 4, 20, 400);
    const changes = of(log, 2);
    expect(changes.slice(0, 4).map((t) => t.to)).toEqual([
      'open',
      'half-open',
      'open',
      'half-open',
    ]);
    const [opened, probing, reopened, probingAgain] = changes;
    expect(probing!.at - opened!.at).toBeGreaterThanOrEqual(OPEN_MS - 20);
    // The second open period is twice the first.
    expect(probingAgain!.at - reopened!.at).toBeGreaterThanOrEqual(2 * OPEN_MS - 20);
    // Each half-open period let exactly one call through, which failed.
    const probes = reached(records, 2, opened!.at);
    expect(probes).toHaveLength(changes.filter((t) => t.to === 'half-open').length);
    expect(probes.every((r) => r.code === grpc.status.DEADLINE_EXCEEDED)).toBe(true);
    expect(probes[0]!.startedAt).toBeGreaterThan(probing!.at - 30);
    // Apart from the probes, only calls sent before the ejection failed.
    const failedLater = records.filter(
      (r) => r.code !== grpc.status.OK && r.startedAt > opened!.at + 30,
    );
    expect(failedLater).toEqual(probes);
  });
});

describe('per-endpoint breaker: re-admission by grpc.health.v1 check', () => {
  it('keeps out an endpoint whose health says NOT_SERVING; takes it back once SERVING', async () => {
    const { client, log } = await cluster({ healthCheck: { timeoutMs: 500 } });
    await servers[1]!.setHealth('NOT_SERVING');
    await servers[1]!.set(sick);
    const first = await driveUntil(client, () => of(log, 1).length > 0);
    const [opened] = of(log, 1);
    expect(opened?.to).toBe('open');
    // User calls would now succeed, but the endpoint reports NOT_SERVING: it stays out.
    await servers[1]!.set({ kind: 'ok' });
    const second = await driveUntil(client, () => of(log, 1).length >= 3, 20);
    expect(await servers[1]!.healthChecks()).toBeGreaterThanOrEqual(1);
    const states = of(log, 1).map((t) => t.to);
    expect(states.slice(0, 3)).toEqual(['open', 'half-open', 'open']);
    expect(states).not.toContain('closed');
    expect(reached([...first, ...second], 1, opened!.at)).toEqual([]);
    // SERVING: the next check (after a doubled open period) closes the circuit.
    await servers[1]!.setHealth('SERVING');
    const third = await driveUntil(client, () => of(log, 1).at(-1)?.to === 'closed', 100);
    const closed = of(log, 1).find((t) => t.to === 'closed');
    expect(closed).toBeDefined();
    const back = reached(third, 1, opened!.at);
    expect(back.length).toBeGreaterThan(30);
    // No user call served as a probe: every call to it came after the check closed the circuit.
    expect(back.every((r) => r.startedAt >= closed!.at - 1)).toBe(true);
    expect([...second, ...third].every((r) => r.code === grpc.status.OK)).toBe(true);
    // The checks went to that endpoint's own connection only.
    expect(await servers[0]!.healthChecks()).toBe(0);
    expect(await servers[2]!.healthChecks()).toBe(0);
  });
});
