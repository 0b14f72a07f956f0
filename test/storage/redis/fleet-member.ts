/**
 * One member of a test fleet, in its own process: a CircuitRegistry sharing state through a
 * RedisStateStore. Driven by IPC; usage: fleet-member.ts <redis port> <prefix> <policy json>
 * [store options json, e.g. {"sharing":{"quorum":{}}}].
 */
import { Redis } from 'ioredis';
import { CircuitOpenError } from '../../../src/core/errors.js';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import type { Permit } from '../../../src/core/types.js';
import { RedisStateStore } from '../../../src/storage/redis/index.js';

const [port, prefix, policy, storeOptions] = process.argv.slice(2);
const client = new Redis(Number(port), '127.0.0.1', {
  retryStrategy: () => 50,
  maxRetriesPerRequest: 1,
});
client.on('error', () => {});
const store = new RedisStateStore({ client, prefix, ...JSON.parse(storeOptions ?? '{}') });
const registry = new CircuitRegistry({ store, defaults: JSON.parse(policy!) });
const held: Permit[] = [];
const statuses: string[] = [];
store.onStatus((s) => statuses.push(s.status));

type Command =
  | { cmd: 'trip'; name: string }
  | { cmd: 'state'; name: string }
  | { cmd: 'acquire'; name: string }
  | { cmd: 'release'; outcome: 'success' | 'failure' }
  | { cmd: 'calls'; name: string; count: number }
  | { cmd: 'cycle'; name: string; ms: number }
  | { cmd: 'hit'; name: string; url: string; count: number }
  | { cmd: 'exit' };

process.on('message', async (m: Command) => {
  switch (m.cmd) {
    case 'trip': {
      registry.get(m.name).tryAcquire()?.record('failure');
      break;
    }
    case 'acquire': {
      const p = registry.get(m.name).tryAcquire();
      if (p) held.push(p);
      return process.send!({ granted: Boolean(p) });
    }
    case 'release':
      held.splice(0).forEach((p) => p.record(m.outcome));
      break;
    case 'calls': {
      // Calls that succeed locally: none may fail or be slowed because of Redis.
      let failed = 0;
      let maxMs = 0;
      const circuit = registry.get(m.name);
      for (let i = 0; i < m.count; i++) {
        const t = performance.now();
        try {
          await circuit.execute(async () => 'ok');
        } catch {
          failed++;
        }
        maxMs = Math.max(maxMs, performance.now() - t);
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
      return process.send!({ failed, maxMs });
    }
    case 'cycle':
      return process.send!(await cycle(m.name, m.ms));
    case 'hit':
      return process.send!(await hit(m.name, m.url, m.count));
    case 'exit':
      await registry.close();
      client.disconnect();
      process.exit(0);
  }
  const c = registry.get('name' in m ? m.name : 'x').snapshot();
  process.send!({
    state: c.state,
    generation: c.generation,
    retryAfterMs: c.retryAfterMs,
    statuses,
  });
});
// The test process is gone (IPC closed): do not outlive it.
process.on('disconnect', () => process.exit(0));
// Ready once the store reaches Redis; statuses from then on.
const ready = () => {
  statuses.splice(0);
  process.send!({ ready: true });
};
if (store.connected) ready();
else {
  const once = store.onStatus((s) => {
    if (s.status !== 'connected') return;
    once.dispose();
    ready();
  });
}

const downstream = new Error('downstream failure');

/**
 * Calls for `ms` (at most 50,000) through a circuit that keeps tripping and recovering: the
 * dependency fails every 25th call it receives, the circuit opens on one failure for 30 ms, then
 * one probe (leased through the store) closes it again. So transitions and probe leases go to
 * Redis all along. Reports every call that failed for any other reason than the dependency's
 * failure or the circuit's rejection, the slowest call, and when the circuit closed (wall ms).
 */
async function cycle(name: string, ms: number) {
  const circuit = registry.get(name, {
    trip: { consecutiveFailures: 1 },
    openMs: 30,
    halfOpenProbes: 1,
  });
  const closedAt: number[] = [];
  const listening = registry.onStateChange((e) => {
    if (e.name === name && e.to === 'closed') closedAt.push(Date.now());
  });
  let ran = 0;
  let rejected = 0;
  let unexpected = 0;
  let maxMs = 0;
  const end = Date.now() + ms;
  for (let i = 0; i < 50_000 && Date.now() < end; i++) {
    const t = performance.now();
    try {
      await circuit.execute(async () => {
        if (++ran % 25 === 0) throw downstream;
        return 'ok';
      });
    } catch (error) {
      if (error instanceof CircuitOpenError) rejected++;
      else if (error !== downstream) unexpected++;
    }
    maxMs = Math.max(maxMs, performance.now() - t);
    if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  listening.dispose();
  return { ran, rejected, unexpected, maxMs, closedAt };
}

/**
 * Makes `count` HTTP GETs to `url` through circuit `name` (one at a time, 1 s deadline each; a
 * reply other than 200 is a failure). Reports how many succeeded, failed and were rejected.
 */
async function hit(name: string, url: string, count: number) {
  const circuit = registry.get(name);
  let ok = 0;
  let failed = 0;
  let rejected = 0;
  for (let i = 0; i < Math.min(count, 1_000); i++) {
    try {
      await circuit.execute(async () => {
        const r = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`status ${r.status}`);
      });
      ok++;
    } catch (error) {
      if (error instanceof CircuitOpenError) rejected++;
      else failed++;
    }
  }
  return { ok, failed, rejected, state: circuit.state };
}
