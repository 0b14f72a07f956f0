/**
 * The Thrift contenders, each calling `getItem` (generated es6 Catalog client, framed/binary)
 * over the four backends:
 * - `round-robin`: bare npm thrift, one connection and one client per backend, calls spread in
 *   turn; every call raced against its own 1 s deadline (a bare call to a hung or stopped peer
 *   never ends, RUNTIME-FACTS.md), with no breaker of any kind;
 * - `rpc-breaker-hosts`: the rpc-breaker multi-host client (`createThriftHostsClient`), when
 *   src/index.ts exports it; until then it is skipped and its figures are null.
 * Both get the `thrift` module through `instrumentedThrift`, which records each request written
 * to a connected socket with the backend it went to, so "calls reaching the sick backend" is
 * counted the same way for both, below any client logic.
 */
import { createRequire } from 'node:module';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import type { Backend } from './backends.js';
import { DEADLINE_MS, type CallOutcome, type ContenderClient, type SendRecord } from './load.js';

const require = createRequire(import.meta.url);
const thrift = require('thrift') as typeof import('thrift');
const Catalog =
  require('../../thrift/gen-es6/Catalog.js') as typeof import('../../thrift/gen-es6/Catalog.js');

type Thrift = typeof thrift;
type CatalogClient = InstanceType<typeof Catalog.Client>;

/** The Thrift contenders, in results.json order. */
export const THRIFT_CONTENDERS = ['round-robin', 'rpc-breaker-hosts'] as const;

/** Connection options of every Thrift connection in the benchmark. */
export const THRIFT_CONNECTION = {
  transport: thrift.TFramedTransport,
  protocol: thrift.TBinaryProtocol,
  max_attempts: 1_000,
  retry_max_delay: 250,
};

/**
 * The `thrift` module with `createConnection` wrapped: every request written to a connected
 * socket is pushed to `sends` with the id of the backend listening on that port.
 */
export function instrumentedThrift(backends: Backend[], sends: SendRecord[]): Thrift {
  const byPort = new Map(backends.map((b) => [b.thriftPort, b.id]));
  const createConnection = (host: string, port: number, options?: object) => {
    const connection = thrift.createConnection(host, port, options as never);
    connection.on('error', () => {}); // a refused reconnect must not crash the benchmark
    const backend = byPort.get(Number(port)) ?? `${host}:${port}`;
    const write = connection.write.bind(connection);
    connection.write = (data: Buffer) => {
      if (connection.connected) sends.push({ atMs: performance.now(), backend });
      return write(data);
    };
    return connection;
  };
  return { ...thrift, createConnection } as Thrift;
}

function withDeadline<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error('deadline')), DEADLINE_MS)),
  );
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

const outcome = (p: Promise<{ name?: string } | undefined>): Promise<CallOutcome> =>
  p.then(
    (item) => ({ ok: true, answeredBy: item?.name ?? '' }),
    () => ({ ok: false, answeredBy: '' }),
  );

/** Bare npm thrift: one connection per backend, calls in turn, a 1 s deadline per call. */
function roundRobin(backends: Backend[]): ContenderClient {
  const sends: SendRecord[] = [];
  const t = instrumentedThrift(backends, sends);
  const connections = backends.map((b) =>
    t.createConnection('127.0.0.1', b.thriftPort, THRIFT_CONNECTION),
  );
  const clients: CatalogClient[] = connections.map((c) => thrift.createClient(Catalog.Client, c));
  let next = 0;
  return {
    sends,
    methodOpens: undefined,
    call: () => outcome(withDeadline(clients[next++ % clients.length]!.getItem('42'))),
    close: () => connections.forEach((c) => c.end()),
  };
}

/**
 * `rpc-breaker-hosts`: the multi-host client (`createThriftHostsClient`) over the four backends,
 * with the same `slowCallMs` (150) as the gRPC endpoint contender, `application` errors counted
 * against a host (the errors phase answers with undeclared exceptions, where gRPC sends
 * UNAVAILABLE) and `getItem` marked idempotent (one failover to another host). The instrumented
 * `thrift` module counts the requests each host receives.
 */
export async function hostsContender(backends: Backend[]): Promise<ContenderClient | undefined> {
  const index = (await import('../../src/index.js')) as Record<string, unknown>;
  const create = index.createThriftHostsClient as
    ((t: Thrift, service: unknown, options: object) => any) | undefined;
  if (typeof create !== 'function') return undefined;
  const sends: SendRecord[] = [];
  const registry = new CircuitRegistry();
  const methodOpens: number[] = [];
  registry.onStateChange((e) => {
    // Host circuits are named after their address; anything else is a method circuit.
    const isHost = backends.some((b) => e.name.includes(`:${b.thriftPort}`));
    if (e.to === 'open' && !isHost) methodOpens.push(performance.now());
  });
  const client = create(instrumentedThrift(backends, sends), Catalog, {
    hosts: backends.map((b) => `127.0.0.1:${b.thriftPort}`),
    transport: THRIFT_CONNECTION.transport,
    protocol: THRIFT_CONNECTION.protocol,
    registry,
    endpoint: {
      circuit: { slowCallMs: 150 },
      failOn: ['transport', 'timeout', 'application'],
    },
    defaults: { timeoutMs: DEADLINE_MS },
    methods: { getItem: { idempotent: true } },
  });
  return {
    sends,
    methodOpens,
    call: () => outcome(client.getItem('42') as Promise<{ name?: string }>),
    close: () => client.close?.(),
  };
}

/** A fresh client of contender `name`; undefined when the contender is not available. */
export async function thriftContender(
  name: string,
  backends: Backend[],
): Promise<ContenderClient | undefined> {
  if (name === 'round-robin') return roundRobin(backends);
  if (name === 'rpc-breaker-hosts') return hostsContender(backends);
  throw new Error(`unknown Thrift contender ${name}`);
}
