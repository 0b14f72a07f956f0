/**
 * The sick Thrift dependency of the resilience benchmark, in its own process: one generated es6
 * Catalog server (framed/binary) per contender named on the command line, so arrivals are told
 * apart by port. Same IPC protocol as sick-server.ts (see scenario.ts). Replies carry a sequence
 * number in `name`, so a client can tell a cached reply from a fresh one.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:net';
import type { Socket } from 'node:net';

const require = createRequire(import.meta.url);
const thrift = require('thrift') as typeof import('thrift');
const Catalog =
  require('../../thrift/gen-es6/Catalog.js') as typeof import('../../thrift/gen-es6/Catalog.js');
const types =
  require('../../thrift/gen-es6/catalog_types.js') as typeof import('../../thrift/gen-es6/catalog_types.js');

type Mode = 'healthy' | 'errors' | 'half-errors' | 'hung';
let mode: Mode = 'healthy';
let seq = 0;
const arrivals: Array<[string, number, 'read' | 'write']> = [];
const held: Array<() => void> = [];
const names = process.argv.slice(2);
const ports: Record<string, number> = {};
const servers = new Map<string, { server: Server; sockets: Set<Socket> }>();

function answer<T>(name: string, kind: 'read' | 'write', reply: () => T): Promise<T> {
  arrivals.push([name, Date.now(), kind]);
  if (mode === 'hung') return new Promise<T>((resolve) => held.push(() => resolve(reply())));
  if (mode === 'errors' || (mode === 'half-errors' && Math.random() < 0.5)) {
    // An undeclared error: the client receives a TApplicationException (a failure by default).
    return Promise.reject(new Error('sick'));
  }
  return Promise.resolve(reply());
}

function listen(name: string): Promise<void> {
  const handler = {
    ping: () => Promise.resolve('pong'),
    getItem: (id: string) =>
      answer(
        name,
        'read',
        () => new types.Item({ id, name: `item ${id} #${seq++}`, priceCents: 100, tags: [] }),
      ),
    // One parameter each: the generated processor treats a handler of the method's arity as
    // Promise-returning (one more parameter would mean callback style).
    putItem: (_item: unknown) => answer(name, 'write', () => undefined),
  };
  const server = thrift.createServer(Catalog, handler as never, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
  }) as unknown as Server;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('error', () => {});
  servers.set(name, { server, sockets });
  return new Promise((resolve) =>
    server.listen(ports[name] ?? 0, '127.0.0.1', () => {
      const a = server.address();
      ports[name] = typeof a === 'object' && a ? a.port : 0;
      resolve();
    }),
  );
}

process.on('message', async (m: any) => {
  if (m.mode) {
    if (m.mode !== 'hung') held.splice(0).forEach((release) => release());
    mode = m.mode;
  } else if (m.down) {
    for (const { server, sockets } of servers.values()) {
      server.close();
      sockets.forEach((s) => s.destroy());
    }
  } else if (m.up) {
    for (const name of names) await listen(name);
  } else if (m.report) {
    process.send!({ arrivals });
    return;
  }
  process.send!({ ok: true });
});
process.on('disconnect', () => process.exit(0));

for (const name of names) await listen(name);
process.send!({ ready: true, ports });
