/**
 * rpc-breaker demo: a gRPC catalog service whose health this script flips, and a client under
 * steady load whose circuits you watch open, serve cached answers and close again.
 *
 *   npm run demo              (tsx examples/grpc-demo.ts; about 25 seconds, then it exits)
 *   npm run demo -- --serve   (the same, then the status page stays up until Ctrl-C)
 *
 * Timeline of the server (a real grpc-js server on 127.0.0.1, in this process):
 *   0–6 s   healthy   answers in ~5 ms
 *   6–12 s  failing   every call fails with UNAVAILABLE
 *   12–18 s hung      calls are accepted and never answered (only deadlines end them)
 *   18–25 s healthy   again
 *
 * The client sends 40 GetItem reads and 8 PutItem writes per second through the breaker
 * interceptor. Both have a 250 ms deadline; reads keep a last-known-good cache, writes have no
 * fallback (a write must never be answered from a cache).
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createServer } from 'node:http';
import { printCounterLegend, serveUntilInterrupted } from './demo-console.js';
import { CircuitRegistry } from '../src/registry/circuit-registry.js';
import { createStatusHandler } from '../src/metrics/status-handler.js';
import { createGrpcBreakerInterceptor } from '../src/grpc/interceptor.js';

type Health = 'healthy' | 'failing' | 'hung';
const TIMELINE: Array<{ at: number; health: Health }> = [
  { at: 0, health: 'healthy' },
  { at: 6, health: 'failing' },
  { at: 12, health: 'hung' },
  { at: 18, health: 'healthy' },
];
const DURATION_S = 25;
const READS_PER_S = 40;
const WRITES_PER_S = 8;
const MAX_IN_FLIGHT = 200; // bounds the load even while the server hangs
const GET = '/rpcbreaker.catalog.v1.Catalog/GetItem';
const PUT = '/rpcbreaker.catalog.v1.Catalog/PutItem';

// ---------------------------------------------------------------------------------------------
// The service: a real grpc-js server whose behaviour follows `health`.
const protos = fileURLToPath(new URL('../protos/', import.meta.url));
const def = protoLoader.loadSync('catalog.proto', {
  includeDirs: [protos],
  defaults: true,
  longs: Number,
});
const Catalog = (grpc.loadPackageDefinition(def) as any).rpcbreaker.catalog.v1
  .Catalog as grpc.ServiceClientConstructor;

let health: Health = 'healthy';
const server = new grpc.Server();
function handler(reply: (req: any) => unknown) {
  return (call: grpc.ServerUnaryCall<any, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    if (health === 'failing') return cb({ code: grpc.status.UNAVAILABLE, details: 'backend down' });
    if (health === 'hung') return; // accepted, never answered
    setTimeout(() => cb(null, reply(call.request)), 5);
  };
}
server.addService(Catalog.service, {
  GetItem: handler((req: { id: string }) => ({
    id: req.id,
    name: `Item ${req.id}`,
    priceCents: 1999,
  })),
  PutItem: handler(() => ({ created: true })),
  ListItems: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
});

// ---------------------------------------------------------------------------------------------
// The client: one circuit per method. A circuit opens when half of its last 20 calls failed and
// stays open 2 s; then one probe call decides whether it closes.
const registry = new CircuitRegistry({
  defaults: { trip: { failureRate: 0.5, minimumCalls: 10, windowCalls: 20 }, openMs: 2_000 },
});
const interceptor = createGrpcBreakerInterceptor({
  registry,
  defaults: { timeoutMs: 250 },
  methods: {
    [GET]: { fallback: { cache: { ttlMs: 60_000, serveOn: 'open-or-failure' } } },
  },
});

/** What the client saw, per method, in the current second and in total. */
interface Tally {
  sent: number;
  ok: number;
  fromCache: number;
  fastFailed: number;
  failed: number;
}
const zero = (): Tally => ({ sent: 0, ok: 0, fromCache: 0, fastFailed: 0, failed: 0 });
const second: Record<string, Tally> = { [GET]: zero(), [PUT]: zero() };
const total: Record<string, Tally> = { [GET]: zero(), [PUT]: zero() };
const count = (path: string, key: keyof Tally) => {
  second[path]![key]++;
  total[path]![key]++;
};

const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;
const short = (path: string) => path.split('/').pop()!;
registry.onStateChange((e) =>
  console.log(
    `   ${elapsed().toFixed(1).padStart(5)}s  ${short(e.name)} circuit: ${e.from} → ${e.to}` +
      (e.reason ? ` (${e.reason})` : ''),
  ),
);

async function main(): Promise<void> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const client = new Catalog(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    interceptors: [interceptor],
  }) as grpc.Client & Record<string, (...args: any[]) => grpc.ClientUnaryCall>;

  // The live status page of every circuit (open it in a browser while the demo runs).
  const status = createServer(createStatusHandler(registry, { title: 'rpc-breaker demo' }));
  const statusPort = await new Promise<number>((resolve) =>
    status.listen(0, '127.0.0.1', () => resolve((status.address() as { port: number }).port)),
  );
  console.log(`Catalog server on 127.0.0.1:${port}.`);
  console.log(`Circuit status page: http://127.0.0.1:${statusPort}/ (JSON: ?format=json)`);
  console.log(
    `The client sends ${READS_PER_S} GetItem reads and ${WRITES_PER_S} PutItem writes per second.`,
  );
  console.log('Reads keep a last-known-good cache; writes have no fallback.\n');
  printCounterLegend('UNAVAILABLE with x-circuit-state; cached ones carry x-fallback: cache');
  console.log(
    '  time  server   | GetItem  state       sent  ok cached fast-failed failed | PutItem  state       sent  ok fast-failed failed',
  );

  let inFlight = 0;
  const call = (method: 'GetItem' | 'PutItem', id: number) => {
    if (inFlight >= MAX_IN_FLIGHT) return;
    const path = method === 'GetItem' ? GET : PUT;
    count(path, 'sent');
    inFlight++;
    const req = method === 'GetItem' ? { id: String(id % 5) } : { item: { id: String(id) } };
    let fallback = false;
    const c = client[method]!(req, (err: grpc.ServiceError | null) => {
      inFlight--;
      if (fallback) count(path, 'fromCache');
      else if (!err) count(path, 'ok');
      else if (err.metadata?.get('x-circuit-state').length) count(path, 'fastFailed');
      else count(path, 'failed');
    });
    c.on('metadata', (md: grpc.Metadata) => (fallback = md.get('x-fallback').length > 0));
  };

  let n = 0;
  const reads = setInterval(() => call('GetItem', n++), 1000 / READS_PER_S);
  const writes = setInterval(() => call('PutItem', n++), 1000 / WRITES_PER_S);
  let phase = 0;
  await new Promise<void>((resolve) => {
    const report = setInterval(() => {
      const s = Math.round(elapsed());
      const g = second[GET]!;
      const p = second[PUT]!;
      const col = (v: number, w: number) => String(v).padStart(w);
      console.log(
        `  ${col(s, 3)}s  ${health.padEnd(8)} | ${registry.get(GET).state.padEnd(17)}` +
          `${col(g.sent, 5)}${col(g.ok, 4)}${col(g.fromCache, 7)}${col(g.fastFailed, 12)}${col(g.failed, 7)} | ` +
          `${registry.get(PUT).state.padEnd(17)}${col(p.sent, 5)}${col(p.ok, 4)}${col(p.fastFailed, 12)}${col(p.failed, 7)}`,
      );
      second[GET] = zero();
      second[PUT] = zero();
      while (phase + 1 < TIMELINE.length && s >= TIMELINE[phase + 1]!.at) {
        phase++;
        health = TIMELINE[phase]!.health;
        console.log(`  ---- the server is now ${health.toUpperCase()} ----`);
      }
      if (s >= DURATION_S) {
        clearInterval(report);
        resolve();
      }
    }, 1000);
  });
  clearInterval(reads);
  clearInterval(writes);
  await new Promise((r) => setTimeout(r, 400)); // the last calls end by their 250 ms deadline

  console.log('\nTotals:');
  for (const path of [GET, PUT]) {
    const t = total[path]!;
    console.log(
      `  ${short(path).padEnd(8)} sent ${t.sent}: answered by the server ${t.ok}, from cache ${t.fromCache}, ` +
        `fast-failed ${t.fastFailed}, failed at the server or by deadline ${t.failed}`,
    );
  }
  console.log(`
What happened: when the server started failing, and again while it hung, each circuit opened
once half of its recent calls had failed. While open, calls were answered at once without
touching the network: reads from the cache, writes with UNAVAILABLE (x-circuit-state: open).
Every 2 s one probe call tested the server; when it was healthy again the probe succeeded and
the circuits closed.`);
  await serveUntilInterrupted(status, `http://127.0.0.1:${statusPort}/`);
  client.close();
  server.forceShutdown();
  status.closeAllConnections();
  status.close();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    server.forceShutdown();
    process.exit(1);
  },
);
