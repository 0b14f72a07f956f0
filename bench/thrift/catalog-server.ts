/**
 * The Thrift benchmark's server, run in its own process so that its CPU is not counted as the
 * client's: the generated es6 Catalog processor over framed/binary, answering `ping` and
 * `getItem` at once. Prints `listening <port>` and exits when stdin closes.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const thrift = require('thrift') as typeof import('thrift');
const Catalog =
  require('../../thrift/gen-es6/Catalog.js') as typeof import('../../thrift/gen-es6/Catalog.js');
const types =
  require('../../thrift/gen-es6/catalog_types.js') as typeof import('../../thrift/gen-es6/catalog_types.js');

const item = new types.Item({ id: 'a', name: 'apple', priceCents: 120, tags: ['fruit'] });
const handler = {
  ping: () => Promise.resolve('pong'),
  getItem: (id: string) =>
    id === 'a' ? Promise.resolve(item) : Promise.reject(new types.NotFound({ id })),
};
const server = thrift.createServer(Catalog, handler as never, {
  transport: thrift.TFramedTransport,
  protocol: thrift.TBinaryProtocol,
});
server.on('error', () => {});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
