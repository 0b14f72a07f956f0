/**
 * The Thrift scenario's contenders: a bare generated es6 client (its calls hang forever on a
 * hung or vanished server, so the caller races each one against the same 1 s deadline), and the
 * client wrapped by rpc-breaker — with defaults, and with a read cache plus slow-call detection.
 * Each has its own connection to its own port of the sick server.
 */
import { createRequire } from 'node:module';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import {
  CACHE_CONTENDER_CIRCUIT,
  DEADLINE_MS,
  type CallResult,
  type Contender,
} from './contenders.js';

const require = createRequire(import.meta.url);
const thrift = require('thrift') as typeof import('thrift');
const Catalog =
  require('../../thrift/gen-es6/Catalog.js') as typeof import('../../thrift/gen-es6/Catalog.js');
const types =
  require('../../thrift/gen-es6/catalog_types.js') as typeof import('../../thrift/gen-es6/catalog_types.js');

export const THRIFT_CONTENDERS = ['bare', 'rpc-breaker', 'rpc-breaker-cache'] as const;

function connect(port: number) {
  const connection = thrift.createConnection('127.0.0.1', port, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
    max_attempts: 1_000,
    retry_max_delay: 250,
  });
  connection.on('error', () => {}); // a refused reconnect must not crash the benchmark
  const client = thrift.createClient(Catalog.Client, connection);
  // A request counts as sent when it is written to a connected socket (npm thrift queues writes
  // made while disconnected and writes them again on reconnect: counted then).
  let sent = 0;
  const write = connection.write.bind(connection);
  connection.write = (data: Buffer) => {
    if (connection.connected) sent++;
    return write(data);
  };
  return { connection, client, sent: () => sent };
}

/** Names seen in replies: a reply whose sequence-stamped name was seen before came from the cache. */
function judgeReads() {
  const seen = new Set<string>();
  return (p: Promise<{ name?: string } | undefined>): Promise<CallResult> =>
    p.then(
      (item) => {
        const name = item?.name ?? '';
        if (seen.has(name)) return 'cache';
        seen.add(name);
        return 'ok';
      },
      () => 'error',
    );
}

const settle = (p: Promise<unknown>): Promise<CallResult> =>
  p.then(
    () => 'ok' as const,
    () => 'error' as const,
  );

function withDeadline<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error('deadline')), DEADLINE_MS)),
  );
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

function bare(port: number): Contender {
  const { connection, client, sent } = connect(port);
  const judge = judgeReads();
  return {
    name: 'bare',
    read: (id) => judge(withDeadline(client.getItem(id))),
    write: (id) =>
      settle(
        withDeadline(client.putItem(new types.Item({ id, name: 'w', priceCents: 0, tags: [] }))),
      ),
    sent,
    isOpen: () => false,
    reset: () => {},
    close: () => connection.end(),
  };
}

function wrapped(port: number, name: string, cache: boolean): Contender {
  const { connection, client, sent } = connect(port);
  const registry = new CircuitRegistry();
  const guarded = wrapThriftClient(client, {
    connection,
    registry,
    service: 'catalog',
    defaults: cache
      ? { timeoutMs: DEADLINE_MS, circuit: CACHE_CONTENDER_CIRCUIT }
      : { timeoutMs: DEADLINE_MS },
    methods: cache
      ? { getItem: { fallback: { cache: { ttlMs: 300_000, serveOn: 'open-or-failure' } } } }
      : {},
  });
  const judge = judgeReads();
  const c: Contender = {
    name,
    read: (id) => judge(guarded.getItem(id)),
    write: (id) =>
      settle(guarded.putItem(new types.Item({ id, name: 'w', priceCents: 0, tags: [] }))),
    sent,
    isOpen: () => registry.snapshot().some((s) => s.state !== 'closed'),
    reset: () => registry.snapshot().forEach((s) => registry.get(s.name).reset()),
    close: () => connection.end(),
  };
  registry.onStateChange((e) => {
    if (e.to === 'open') c.onOpen?.(Date.now(), e.name.endsWith('/getItem') ? 'read' : 'write');
  });
  return c;
}

/** The Thrift contenders by name; each connects to its own port of the sick server. */
export const THRIFT_CONTENDER_FACTORIES: Record<
  string,
  (ports: Record<string, number>) => Contender
> = {
  bare: (ports) => bare(ports.bare!),
  'rpc-breaker': (ports) => wrapped(ports['rpc-breaker']!, 'rpc-breaker', false),
  'rpc-breaker-cache': (ports) => wrapped(ports['rpc-breaker-cache']!, 'rpc-breaker-cache', true),
};
