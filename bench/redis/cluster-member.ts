/**
 * A fleet member for the Redis Cluster benchmark, in its own process, on an ioredis `Cluster`
 * started from the node given first: reports (IPC) when it adopts a transition made elsewhere,
 * and trips a circuit when told to.
 * Usage: cluster-member.ts <comma-separated node ports> <prefix>
 */
import { Cluster } from 'ioredis';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';

const [ports, prefix] = process.argv.slice(2);
/** Wall-clock ms with sub-millisecond resolution, comparable between processes of one host. */
const now = () => performance.timeOrigin + performance.now();
const client = new Cluster(ports!.split(',').map((p) => ({ host: '127.0.0.1', port: Number(p) })));
client.on('error', () => {});
const registry = new CircuitRegistry({
  store: new RedisStateStore({ client, prefix }),
  defaults: { trip: { consecutiveFailures: 1 }, openMs: 60_000 },
});
registry.onStateChange((e) => {
  if (e.reason === 'remote') process.send!({ adopted: e.name, to: e.to, at: now() });
});
process.on('message', async (m: { cmd: string; name: string }) => {
  if (m.cmd === 'touch') registry.get(m.name);
  if (m.cmd === 'trip') {
    const at = now();
    registry.get(m.name).tryAcquire()?.record('failure');
    return process.send!({ tripped: m.name, at });
  }
  if (m.cmd === 'exit') {
    await registry.close();
    client.disconnect();
    process.exit(0);
  }
  process.send!({ ok: true });
});
// The benchmark process is gone (IPC closed): do not outlive it.
process.on('disconnect', () => process.exit(0));
client.once('ready', () => setTimeout(() => process.send!({ ready: true }), 300));
