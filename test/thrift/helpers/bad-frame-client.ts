/**
 * A child process for the bad-frame tests: it calls peers that answer with a malformed frame
 * length and prints one JSON line per case saying how the call ended. It runs apart from the test
 * runner because, unguarded, npm thrift loops for ever on such a frame: the parent can then still
 * notice the silence and kill it.
 *
 * argv: style (`callback` | `es6`), then cases as `name:kind:port` (kind `tcp` or `http`).
 */
import { Agent } from 'node:http';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../../src/thrift/wrap-client.js';
import { thriftFailureCategory } from '../../../src/classify/thrift-errors.js';
import { gen, genEs6, thrift } from './generated.js';

const [style, ...cases] = process.argv.slice(2);
const service = style === 'es6' ? genEs6.Catalog : gen.Catalog;

type Rpc = { getItem(id: string): Promise<unknown> };

async function run(spec: string): Promise<void> {
  const [name, kind, port] = spec.split(':') as [string, string, string];
  const opts = { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol };
  const agent = new Agent({ keepAlive: false });
  const connection =
    kind === 'http'
      ? thrift.createHttpConnection('127.0.0.1', Number(port), {
          ...opts,
          path: '/',
          nodeOptions: { agent },
        } as never)
      : thrift.createConnection('127.0.0.1', Number(port), opts as never);
  const client =
    kind === 'http'
      ? thrift.createHttpClient(service as never, connection as never)
      : thrift.createClient(service as never, connection as never);
  const errors: string[] = [];
  connection.on('error', (e: Error) => errors.push(e.name));
  const registry = new CircuitRegistry();
  const rpc = wrapThriftClient(client as object, {
    target: false, // circuits named <service>/<method>
    connection: connection as never,
    registry,
    defaults: { timeoutMs: 5_000 },
  }) as unknown as Rpc;
  const started = performance.now();
  const first = await rpc.getItem('a').then(
    () => ({ ok: true }),
    (e: Error) => ({ ok: false, error: e.name, category: thriftFailureCategory(e) }),
  );
  const ms = Math.round(performance.now() - started);
  const again = performance.now();
  const second = await rpc.getItem('a').then(
    () => ({ ok: true }),
    (e: Error & { reason?: string }) => ({ ok: false, error: e.name, reason: e.reason }),
  );
  const secondMs = Math.round(performance.now() - again);
  const failures = registry.find('Catalog/getItem')?.snapshot().counts.failures;
  process.stdout.write(
    JSON.stringify({ name, first, ms, second, secondMs, errors, failures }) + '\n',
  );
  if (kind === 'http') agent.destroy();
  else (connection as unknown as { destroy(): void }).destroy();
}

for (const spec of cases) await run(spec);
process.exit(0);
