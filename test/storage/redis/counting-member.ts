/**
 * One member of a test fleet that shares its window counts (`shareCounts`), in its own process.
 * Driven by IPC; usage: counting-member.ts <redis port> <prefix> <policy json> <shareCounts>.
 */
import { Redis } from 'ioredis';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../../src/storage/redis/index.js';

const [port, prefix, policy, share] = process.argv.slice(2);
const client = new Redis(Number(port), '127.0.0.1', {
  retryStrategy: () => 50,
  maxRetriesPerRequest: 1,
});
client.on('error', () => {});
const store = new RedisStateStore({ client, prefix, shareCounts: share === 'true', flushMs: 100 });
const registry = new CircuitRegistry({ store, defaults: JSON.parse(policy!) });

type Command =
  { cmd: 'fail'; name: string; count: number } | { cmd: 'state'; name: string } | { cmd: 'exit' };

process.on('message', async (m: Command) => {
  if (m.cmd === 'exit') {
    await registry.close();
    client.disconnect();
    process.exit(0);
  }
  const circuit = registry.get(m.name);
  if (m.cmd === 'fail') for (let i = 0; i < m.count; i++) circuit.tryAcquire()?.record('failure');
  const s = circuit.snapshot();
  process.send!({ state: s.state, reason: s.lastTripReason });
});
// The test process is gone (IPC closed): do not outlive it.
process.on('disconnect', () => process.exit(0));
client.once('ready', () => process.send!({ ready: true }));
