/**
 * A CatalogServer in its own process, for tests that kill a Thrift server outright. Prints
 * `listening <port>`; reads behaviours as JSON lines on stdin, or `count <method>`.
 * Usage: node --import tsx catalog-main.ts <wire kind> [port]
 */
import { createInterface } from 'node:readline';
import { CatalogServer, type Behaviour, type WireKind } from '../helpers/catalog-server.js';

const server = await CatalogServer.start(
  (process.argv[2] ?? 'framed-binary') as WireKind,
  Number(process.argv[3] ?? 0),
);
process.stdout.write(`listening ${server.port}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.startsWith('count ')) {
    process.stdout.write(`count ${server.count(line.slice(6).trim())}\n`);
    return;
  }
  server.set(JSON.parse(line) as Behaviour);
  process.stdout.write('ok\n');
});
lines.on('close', () => {
  void server.close().then(() => process.exit(0));
});
