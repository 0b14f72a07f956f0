/**
 * Runs a TestServer in its own process (for tests that kill a server mid-call). Prints
 * `listening <port>` on stdout; reads behaviours as JSON lines on stdin (`{"kind":"hang"}`).
 * With `health` as second argument it also serves grpc.health.v1.Health/Check, answering the
 * status set by a `health <STATUS>` line (SERVING at first); `checks` prints how many checks came.
 * Usage: node --import tsx test/grpc/helpers/server-main.ts [id] [health]
 */
import * as grpc from '@grpc/grpc-js';
import { createInterface } from 'node:readline';
import { services } from './services.js';
import { TestServer, type Behaviour } from './test-server.js';

let health = 'SERVING';
let checks = 0;
const addHealth = (server: grpc.Server) =>
  server.addService(services.Health.service, {
    Check: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      checks++;
      cb(null, { status: health });
    },
    Watch: (call: grpc.ServerWritableStream<unknown, unknown>) => call.end(),
  });

const withHealth = process.argv[3] === 'health';
const server = await TestServer.start(
  process.argv[2] ?? 'child',
  0,
  withHealth ? addHealth : undefined,
);
process.stdout.write(`listening ${server.port}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const l = line.trim();
  if (l === 'count') {
    process.stdout.write(`count ${server.count()}\n`);
  } else if (l === 'checks') {
    process.stdout.write(`checks ${checks}\n`);
  } else if (l.startsWith('health ')) {
    health = l.slice('health '.length);
    process.stdout.write('ok\n');
  } else {
    server.set(JSON.parse(l) as Behaviour);
    process.stdout.write('ok\n');
  }
});
lines.on('close', () => {
  server.close();
  process.exit(0);
});
