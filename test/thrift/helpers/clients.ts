/**
 * Generated Catalog clients of either style over a real connection (TCP or HTTP) to 127.0.0.1,
 * plus two peers that fail in ways a Thrift server cannot be told to: an HTTP server that answers
 * every request with a status (e.g. 503), and a port nothing listens on.
 */
import { Agent, createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import {
  gen,
  genEs6,
  thrift,
  type ClientStyle,
  type Es6CatalogClient,
  type Es6CatalogV2Client,
  type NodeCatalogClient,
  type NodeCatalogV2Client,
} from './generated.js';
import { wireClasses, type WireKind } from './catalog-server.js';

/** A connection as the wrapper sees it (TCP `Connection` or `HttpConnection`). */
export type AnyConnection = ReturnType<typeof thrift.createConnection>;

/** A client of one style and service, its connection, and how to close both. */
export interface Connected<C> {
  client: C;
  connection: AnyConnection;
  close(): void;
}

/** Options of a test connection. */
export interface ConnectOptions {
  /** npm thrift's reconnect attempts (TCP); default none. */
  maxAttempts?: number;
  /** No `error` listener of the test's own: an unhandled connection error would crash. */
  bare?: boolean;
}

/** Opens a connection of `kind` to `port` and creates a Catalog client of `style` on it. */
export function connectCatalog(
  style: 'callback',
  kind: WireKind,
  port: number,
  o?: ConnectOptions,
): Connected<NodeCatalogClient>;
export function connectCatalog(
  style: 'es6',
  kind: WireKind,
  port: number,
  o?: ConnectOptions,
): Connected<Es6CatalogClient>;
export function connectCatalog(
  style: ClientStyle,
  kind: WireKind,
  port: number,
  o?: ConnectOptions,
): Connected<NodeCatalogClient | Es6CatalogClient>;
export function connectCatalog(
  style: ClientStyle,
  kind: WireKind,
  port: number,
  o: ConnectOptions = {},
) {
  return connect(style === 'es6' ? genEs6.Catalog : gen.Catalog, kind, port, o);
}

/** Like `connectCatalog`, with the CatalogV2 client (its `getItemCount` is unknown to the server). */
export function connectCatalogV2(
  style: ClientStyle,
  kind: WireKind,
  port: number,
): Connected<NodeCatalogV2Client | Es6CatalogV2Client> {
  return connect(style === 'es6' ? genEs6.CatalogV2 : gen.CatalogV2, kind, port, {}) as never;
}

function connect(service: object, kind: WireKind, port: number, o: ConnectOptions) {
  const { transport, protocol } = wireClasses(kind);
  if (kind === 'http') {
    const agent = new Agent({ keepAlive: false });
    const connection = thrift.createHttpConnection('127.0.0.1', port, {
      transport,
      protocol,
      path: '/',
      nodeOptions: { agent },
    } as never);
    const client = thrift.createHttpClient(service as never, connection);
    return {
      client,
      connection: connection as unknown as AnyConnection,
      close: () => agent.destroy(),
    };
  }
  const connection = thrift.createConnection('127.0.0.1', port, {
    transport,
    protocol,
    ...(o.maxAttempts ? { max_attempts: o.maxAttempts, retry_max_delay: 50 } : {}),
  } as never);
  // Tests that do not wrap a client must still survive connection errors.
  if (!o.bare) connection.on('error', () => {});
  const client = thrift.createClient(service as never, connection);
  return {
    client,
    connection,
    close: () => {
      connection.end();
      connection.destroy();
    },
  };
}

/** An HTTP server that answers every request with `status` and an empty body. */
export async function startStatusServer(
  status: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  const port = await listen(server);
  return {
    port,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function listen(server: NetServer) {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}
