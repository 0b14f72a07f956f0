/**
 * Runs a TestServer in its own process (for tests that kill a server mid-call). Prints
 * `listening <port>` on stdout; reads behaviours as JSON lines on stdin (`{"kind":"hang"}`).
 * Usage: node --import tsx test/grpc/helpers/server-main.ts [id]
 */
import { createInterface } from 'node:readline';
import { TestServer, type Behaviour } from './test-server.js';

const server = await TestServer.start(process.argv[2] ?? 'child');
process.stdout.write(`listening ${server.port}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'count') {
    process.stdout.write(`count ${server.count()}\n`);
    return;
  }
  server.set(JSON.parse(line) as Behaviour);
  process.stdout.write('ok\n');
});
lines.on('close', () => {
  server.close();
  process.exit(0);
});
