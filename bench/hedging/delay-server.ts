/**
 * A backend for the hedging benchmark, in its own process: an Echo server answering `Say` after
 * `argv[2]` ms (0: at once). Prints `listening <port>` and exits when stdin closes.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

const delayMs = Number(process.argv[2] ?? 0);
const protos = fileURLToPath(new URL('../../protos/', import.meta.url));
const def = protoLoader.loadSync('echo.proto', { includeDirs: [protos], defaults: true });
const echo = (grpc.loadPackageDefinition(def) as any).rpcbreaker.echo.v1
  .Echo as grpc.ServiceClientConstructor;

const server = new grpc.Server();
server.addService(echo.service, {
  Say: (
    call: grpc.ServerUnaryCall<{ message: string }, unknown>,
    cb: grpc.sendUnaryData<unknown>,
  ) => {
    const reply = { message: call.request.message, index: 0, server: String(delayMs), caller: '' };
    if (delayMs > 0) setTimeout(() => cb(null, reply), delayMs);
    else cb(null, reply);
  },
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
    e ? reject(e) : resolve(p),
  ),
);
process.stdout.write(`listening ${port}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  server.forceShutdown();
  process.exit(0);
});
