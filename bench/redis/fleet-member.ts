/**
 * A member of the fleet benchmark (fleet.bench.ts), in its own process: calls an HTTP
 * dependency through circuit `dep` every `PERIOD_MS` while told to run, and reports every state
 * change of the circuit (IPC, wall ms). Usage: fleet-member.ts <redis port> <prefix> <sharing json>
 */
import { Redis } from 'ioredis';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { RedisStateStore } from '../../src/storage/redis/index.js';

const PERIOD_MS = 10;
const [port, prefix, sharing] = process.argv.slice(2);
const client = new Redis(Number(port), '127.0.0.1', { retryStrategy: () => 50 });
client.on('error', () => {});
const store = new RedisStateStore({ client, prefix, sharing: JSON.parse(sharing!) });
const registry = new CircuitRegistry({
  store,
  defaults: { trip: { consecutiveFailures: 5 }, openMs: 2_000, halfOpenProbes: 1 },
});
registry.onStateChange((e) => process.send!({ to: e.to, at: Date.now() }));
const circuit = registry.get('dep');
let running = false;

/** Calls `url` until stopped, at most 60 s. */
async function run(url: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (running && Date.now() < end) {
    try {
      await circuit.execute(async () => {
        const r = await fetch(url, { signal: AbortSignal.timeout(500) });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`status ${r.status}`);
      });
    } catch {
      // failures and rejections are what the benchmark watches through state changes
    }
    await new Promise((r) => setTimeout(r, PERIOD_MS));
  }
}

process.on('message', async (m: { cmd: string; url?: string }) => {
  if (m.cmd === 'run' && !running) {
    running = true;
    void run(m.url!);
  } else if (m.cmd === 'stop') running = false;
  else if (m.cmd === 'exit') {
    running = false;
    await registry.close();
    client.disconnect();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
const ready = () => process.send!({ ready: true });
if (store.connected) ready();
else {
  const once = store.onStatus((s) => {
    if (s.status !== 'connected') return;
    once.dispose();
    ready();
  });
}
