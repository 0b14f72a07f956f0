/**
 * Set-up for the multi-host client tests: N real Catalog servers on 127.0.0.1, a black hole (a
 * TCP server that accepts and never answers), and a hosts client over them, closed after each
 * test.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import {
  createThriftHostsClient,
  type ThriftHostsOptions,
} from '../../../src/thrift/hosts/hosts-client.js';
import { CatalogServer, wireClasses, type WireKind } from '../helpers/catalog-server.js';
import {
  gen,
  genEs6,
  thrift,
  type ClientStyle,
  type Es6CatalogClient,
} from '../helpers/generated.js';

export type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;
export type HostsClient = AnyRpc & {
  setHosts(hosts: readonly string[]): void;
  hosts(): Array<{
    target: string;
    state: string;
    connected: boolean;
    ejected: boolean;
    inFlight: number;
  }>;
  close(): Promise<void>;
};

export const cleanup: Array<() => unknown> = [];

/** Starts `n` Catalog servers of `kind`. */
export async function servers(
  n: number,
  kind: WireKind = 'framed-binary',
): Promise<CatalogServer[]> {
  const s = await Promise.all(Array.from({ length: n }, () => CatalogServer.start(kind)));
  cleanup.push(() => Promise.all(s.map((x) => x.close())));
  return s;
}

/** A TCP server that accepts connections and never answers; its port. */
export async function blackHole(): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return (server.address() as { port: number }).port;
}

/** `127.0.0.1:<port>` of each. */
export function addresses(ports: ReadonlyArray<number | CatalogServer>): string[] {
  return ports.map((p) => `127.0.0.1:${typeof p === 'number' ? p : p.port}`);
}

/** A hosts client of `style` over `hosts`, on a registry of its own unless given. */
export function hostsClient(
  hosts: string[],
  options: Partial<ThriftHostsOptions<Es6CatalogClient>> = {},
  style: ClientStyle = 'es6',
  kind: WireKind = 'framed-binary',
): { client: HostsClient; registry: CircuitRegistry } {
  const registry = (options.registry as CircuitRegistry | undefined) ?? new CircuitRegistry();
  const { transport, protocol } = wireClasses(kind);
  const client = createThriftHostsClient(thrift, style === 'es6' ? genEs6.Catalog : gen.Catalog, {
    transport,
    protocol,
    ...(kind === 'http' ? { http: { path: '/' } } : {}),
    ...options,
    hosts,
    registry,
  } as never) as unknown as HostsClient;
  cleanup.push(() => client.close());
  return { client, registry };
}

/** Calls `getItem('a')` `n` times in a row; how many succeeded. */
export async function calls(client: HostsClient, n: number, method = 'getItem'): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    await client[method]!('a').then(
      () => ok++,
      () => undefined,
    );
  }
  return ok;
}

/** Waits until `cond()` holds, at most `boundMs`. */
export async function until(cond: () => boolean, boundMs = 5_000): Promise<void> {
  const end = performance.now() + boundMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`condition not met within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Counts of `getItem` per server. */
export const counts = (s: CatalogServer[], method = 'getItem') => s.map((x) => x.count(method));
