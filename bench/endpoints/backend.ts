/**
 * One backend of the endpoints benchmark, in its own process: a grpc-js Echo server (`Say`,
 * protos/echo.proto) and an npm thrift Catalog server (`getItem`, framed/binary, generated es6
 * code) on two ports of 127.0.0.1, both answering after `HEALTHY_MS` with the backend's id (the
 * Echo reply's `server` field, the Thrift Item's `name`), so the client knows who answered.
 *
 * The parent drives it over IPC (`fork`): `{ mode }` switches how both servers answer and is
 * acknowledged with `{ ok: true }`. Modes:
 * - `ok`: answer after `HEALTHY_MS`;
 * - `errors`: fail every call at once (gRPC `UNAVAILABLE`; Thrift: an undeclared error, which the
 *   client receives as a `TApplicationException`);
 * - `half-errors`: fail half of the calls at random, answer the others normally;
 * - `hung`: accept every call and never answer (held calls are released when the mode changes);
 * - `slow`: answer after `SLOW_MS` (the healthy p50 × 20).
 * The black hole (TCP accepted, nothing read or answered) is the parent stopping this process
 * with SIGSTOP. Sends `{ ready, id, grpcPort, thriftPort }` once both servers listen; exits when
 * the IPC channel closes. Usage: node --import tsx bench/endpoints/backend.ts <id>
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { HEALTHY_MS, SLOW_MS, type BackendMode } from './backends.js';

const require = createRequire(import.meta.url);
const id = process.argv[2] ?? 'b?';
let mode: BackendMode = 'ok';
const held: Array<() => void> = [];

/** Runs `answer` or `fail` as the current mode says (or holds the call when hung). */
function serve(answer: () => void, fail: () => void): void {
  switch (mode) {
    case 'errors':
      return fail();
    case 'half-errors':
      if (Math.random() < 0.5) return fail();
      setTimeout(answer, HEALTHY_MS);
      return;
    case 'hung':
      held.push(fail);
      return;
    case 'slow':
      setTimeout(answer, SLOW_MS);
      return;
    default:
      setTimeout(answer, HEALTHY_MS);
  }
}

async function startGrpc(): Promise<number> {
  const protos = fileURLToPath(new URL('../../protos/', import.meta.url));
  const def = protoLoader.loadSync('echo.proto', { includeDirs: [protos], defaults: true });
  const echo = (grpc.loadPackageDefinition(def) as any).rpcbreaker.echo.v1
    .Echo as grpc.ServiceClientConstructor;
  const server = new grpc.Server();
  server.addService(echo.service, {
    Say: (
      call: grpc.ServerUnaryCall<{ message: string }, unknown>,
      cb: grpc.sendUnaryData<unknown>,
    ) =>
      serve(
        () => cb(null, { message: call.request.message, index: 0, server: id, caller: '' }),
        () => cb({ code: grpc.status.UNAVAILABLE, details: `${id} unavailable` }),
      ),
  });
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
}

async function startThrift(): Promise<number> {
  const thrift = require('thrift') as typeof import('thrift');
  const Catalog =
    require('../../thrift/gen-es6/Catalog.js') as typeof import('../../thrift/gen-es6/Catalog.js');
  const types =
    require('../../thrift/gen-es6/catalog_types.js') as typeof import('../../thrift/gen-es6/catalog_types.js');
  const handler = {
    ping: () => Promise.resolve('pong'),
    getItem: (itemId: string) =>
      new Promise((resolve, reject) =>
        serve(
          () => resolve(new types.Item({ id: itemId, name: id, priceCents: 1, tags: [] })),
          () => reject(new Error(`${id} failed`)),
        ),
      ),
  };
  const server = thrift.createServer(Catalog, handler as never, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
  }) as unknown as Server;
  server.on('error', () => {});
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    }),
  );
}

process.on('message', (m: { mode?: BackendMode }) => {
  if (m.mode) {
    mode = m.mode;
    if (mode !== 'hung') for (const release of held.splice(0)) release();
  }
  process.send!({ ok: true });
});
process.on('disconnect', () => process.exit(0));

const [grpcPort, thriftPort] = await Promise.all([startGrpc(), startThrift()]);
process.send!({ ready: true, id, grpcPort, thriftPort });
