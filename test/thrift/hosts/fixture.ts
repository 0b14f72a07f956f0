/**
 * Fixtures for the multi-host client tests: N real Catalog servers on 127.0.0.1, a hosts client
 * of either generated style over them, and small waits that never wait forever.
 */
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import { createThriftHostsClient } from '../../../src/thrift/hosts/hosts-client.js';
import type {
  ThriftHostsClient,
  ThriftHostsOptions,
} from '../../../src/thrift/hosts/hosts-client.js';
import { CatalogServer, wireClasses, type WireKind } from '../helpers/catalog-server.js';
import {
  gen,
  genEs6,
  thrift,
  type ClientStyle,
  type NodeCatalogClient,
} from '../helpers/generated.js';
import { delay } from '../helpers/settle.js';

/** A hosts client over Catalog (typed as the callback style; the es6 one has the same methods). */
export type CatalogHosts = ThriftHostsClient<NodeCatalogClient>;

/** Starts `n` Catalog servers of `kind`, in parallel. */
export function startServers(n: number, kind: WireKind): Promise<CatalogServer[]> {
  return Promise.all(Array.from({ length: n }, () => CatalogServer.start(kind)));
}

/** `127.0.0.1:<port>` of each server. */
export const hostsOf = (servers: Array<{ port: number }>): string[] =>
  servers.map((s) => `127.0.0.1:${s.port}`);

/** Circuit name of a host of the Catalog service (TCP). */
export const hostCircuit = (port: number): string => `127.0.0.1:${port}/Catalog`;

/** Options of `connect`: the client's own, minus what `connect` fills in. */
export type Extra = Partial<ThriftHostsOptions<NodeCatalogClient>>;

/**
 * A hosts client of `style` over `hosts` speaking `kind`, on `registry`; quick reconnects and a
 * 1 s default deadline unless `extra` says otherwise.
 */
export function connect(
  style: ClientStyle,
  kind: WireKind,
  hosts: string[],
  registry: CircuitRegistry,
  extra: Extra = {},
): CatalogHosts {
  const { transport, protocol } = wireClasses(kind);
  return createThriftHostsClient(
    thrift,
    (style === 'es6' ? genEs6.Catalog : gen.Catalog) as never,
    {
      hosts,
      transport,
      protocol,
      registry,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
      defaults: { timeoutMs: 1_000 },
      ...(kind === 'http' ? { http: { path: '/' } } : {}),
      ...extra,
    } as never,
  ) as unknown as CatalogHosts;
}

/** Polls `cond` every 10 ms until it holds; throws after `boundMs`. */
export async function waitFor(
  cond: () => boolean,
  boundMs = 5_000,
  what = 'condition',
): Promise<void> {
  const end = performance.now() + boundMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`${what} not reached within ${boundMs} ms`);
    await delay(10);
  }
}

/** Waits until every host of `client` is connected. */
export function allConnected(client: CatalogHosts, boundMs = 5_000): Promise<void> {
  return waitFor(() => client.hosts().every((h) => h.connected), boundMs, 'all hosts connected');
}

/** Runs `count` getItem calls one after the other; returns how each ended. */
export async function sequential(
  client: CatalogHosts,
  count: number,
): Promise<Array<{ ok: boolean; error?: unknown }>> {
  const out: Array<{ ok: boolean; error?: unknown }> = [];
  for (let i = 0; i < count; i++) {
    out.push(
      await client.getItem('a').then(
        () => ({ ok: true }),
        (error: unknown) => ({ ok: false, error }),
      ),
    );
  }
  return out;
}

/** getItem calls that reached each server. */
export const counts = (servers: CatalogServer[], method = 'getItem'): number[] =>
  servers.map((s) => s.count(method));

export { CircuitRegistry, CatalogServer, delay };
