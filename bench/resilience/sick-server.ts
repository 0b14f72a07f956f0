/**
 * The sick dependency of the resilience benchmark, run in its own process. The parent drives it
 * through IPC messages: `{ mode: 'healthy' | 'errors' | 'half-errors' | 'hung' }`, `{ down: true }`
 * (close the port), `{ up: true }` (listen again on the same port), `{ report: true }`. Every call
 * that reaches a handler is logged with its contender (metadata `x-contender`) and arrival time.
 */
import * as grpc from '@grpc/grpc-js';
import { loadCatalog } from './catalog.js';

type Mode = 'healthy' | 'errors' | 'half-errors' | 'hung';
let mode: Mode = 'healthy';
let server: grpc.Server | undefined;
let port = 0;
const arrivals: Array<[contender: string, atMs: number, kind: 'read' | 'write']> = [];
const hung: Array<() => void> = [];
const { service } = loadCatalog();

function handle(
  call: grpc.ServerUnaryCall<any, any>,
  callback: grpc.sendUnaryData<any>,
  reply: () => unknown,
  kind: 'read' | 'write',
): void {
  arrivals.push([String(call.metadata.get('x-contender')[0] ?? '?'), Date.now(), kind]);
  if (mode === 'hung') {
    hung.push(() => callback({ code: grpc.status.UNAVAILABLE, details: 'released' }));
    return;
  }
  if (mode === 'errors' || (mode === 'half-errors' && Math.random() < 0.5)) {
    callback({ code: grpc.status.UNAVAILABLE, details: 'sick' });
    return;
  }
  callback(null, reply());
}

async function listen(): Promise<void> {
  server = new grpc.Server();
  server.addService(service, {
    GetItem: (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) =>
      handle(
        call,
        cb,
        () => ({
          id: call.request.id,
          name: `item ${call.request.id}`,
          priceCents: 100,
          server: 'sick',
        }),
        'read',
      ),
    PutItem: (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) =>
      handle(call, cb, () => ({ created: true }), 'write'),
  });
  port = await new Promise<number>((resolve, reject) =>
    server!.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
}

process.on('message', async (m: any) => {
  if (m.mode) {
    if (m.mode !== 'hung') hung.splice(0).forEach((release) => release());
    mode = m.mode;
  } else if (m.down) {
    server?.forceShutdown();
    server = undefined;
  } else if (m.up) {
    await listen();
  } else if (m.report) {
    process.send!({ arrivals });
    return;
  }
  process.send!({ ok: true, port });
});
process.on('disconnect', () => process.exit(0));

await listen();
process.send!({ ready: true, ports: { all: port } });
