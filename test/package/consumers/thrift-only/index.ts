// A Thrift-only ESM TypeScript project: @grpc/grpc-js is not installed. Follows the README.
import thrift from 'thrift';
import { CircuitRegistry, isCircuitOpenError, wrapThriftClient } from 'rpc-breaker';
import {
  createThriftHostsClient,
  thriftCallOptions,
  ThriftTransportError,
  wrapThriftClient as fromThriftEntry,
} from 'rpc-breaker/thrift';
import Catalog from '../gen/Catalog.js';

const connection = thrift.createConnection('127.0.0.1', 1, {
  transport: thrift.TFramedTransport,
});
await using registry = new CircuitRegistry();
const catalog = wrapThriftClient(thrift.createClient(Catalog, connection), {
  connection,
  registry,
  service: 'catalog',
  methods: { getItem: { timeoutMs: 2_000 } },
});
// js:node declarations are callback-style; the wrapped client's methods return Promises.
const pong: Promise<string> = catalog.ping();
const answer = await pong.catch((e: unknown) =>
  e instanceof ThriftTransportError ? 'transport' : isCircuitOpenError(e) ? 'open' : 'other',
);
const viaCallback: Promise<unknown> = catalog.getItem(
  'a',
  thriftCallOptions({ timeoutMs: 500, signal: AbortSignal.timeout(1_000) }),
  () => undefined,
);
await viaCallback.catch(() => undefined);
connection.end();
const many = createThriftHostsClient(thrift, Catalog, {
  hosts: ['127.0.0.1:1', { host: '127.0.0.1', port: 2 }],
  transport: thrift.TFramedTransport,
  registry,
  methods: { getItem: { idempotent: true } },
});
const fromMany: Promise<unknown> = many.getItem('a', thriftCallOptions({ timeoutMs: 200 }));
await fromMany.catch(() => undefined);
await many.close();
console.log(JSON.stringify({ answer, sameWrapper: fromThriftEntry === wrapThriftClient }));
