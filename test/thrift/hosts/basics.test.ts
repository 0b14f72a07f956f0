/**
 * The multi-host client over real Catalog servers: round robin, both generated styles, every
 * wire kind (TCP framed/binary, buffered/compact, HTTP), the callback form, `hosts()`, `close()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isThriftTransportError } from '../../../src/classify/thrift-call-errors.js';
import type { WireKind } from '../helpers/catalog-server.js';
import { expectHandlesClosed } from '../helpers/handles.js';
import { gen } from '../helpers/generated.js';
import {
  allConnected,
  CatalogServer,
  CircuitRegistry,
  connect,
  counts,
  hostCircuit,
  hostsOf,
  startServers,
} from './fixture.js';

expectHandlesClosed();

const kinds: WireKind[] = ['framed-binary', 'buffered-compact', 'http'];
const servers = new Map<WireKind, CatalogServer[]>();

beforeAll(async () => {
  for (const k of kinds) servers.set(k, await startServers(3, k));
});
afterAll(async () => {
  for (const list of servers.values()) await Promise.all(list.map((s) => s.close()));
});

describe.each(['callback', 'es6'] as const)('hosts client, %s style', (style) => {
  it.each(kinds)('spreads calls round robin over three %s hosts', async (kind) => {
    const list = servers.get(kind)!;
    const before = counts(list);
    const registry = new CircuitRegistry();
    const client = connect(style, kind, hostsOf(list), registry);
    await allConnected(client);
    for (let i = 0; i < 30; i++) expect((await client.getItem('a')).name).toBe('apple');
    const got = counts(list).map((n, i) => n - before[i]!);
    expect(got).toEqual([10, 10, 10]);
    const names = registry
      .snapshot()
      .map((s) => s.name)
      .sort();
    const hostNames =
      kind === 'http'
        ? list.map((s) => `http://127.0.0.1:${s.port}/Catalog`)
        : list.map((s) => hostCircuit(s.port));
    expect(names).toEqual([...hostNames, 'Catalog/getItem'].sort());
    expect(client.hosts().map((h) => [h.connected, h.state, h.inFlight])).toEqual([
      [true, 'closed', 0],
      [true, 'closed', 0],
      [true, 'closed', 0],
    ]);
    await client.close();
  });
});

describe('hosts client', () => {
  it('still calls a trailing callback, with the reply or the declared exception', async () => {
    const list = servers.get('framed-binary')!;
    const client = connect('callback', 'framed-binary', hostsOf(list), new CircuitRegistry());
    const reply = await new Promise((resolve) =>
      client.getItem('a', (e: unknown, v: unknown) => resolve([e, (v as { name: string }).name])),
    );
    expect(reply).toEqual([null, 'apple']);
    const err = await new Promise((resolve) => client.getItem('zz', (e: unknown) => resolve(e)));
    expect(err).toBeInstanceOf(gen.types.NotFound);
    await client.close();
  });

  it('after close(), rejects every call with ThriftTransportError and counts nothing', async () => {
    const list = servers.get('framed-binary')!;
    const registry = new CircuitRegistry();
    const client = connect('es6', 'framed-binary', hostsOf(list), registry);
    await client.getItem('a');
    await client.close();
    const e = await client.getItem('a').catch((x: unknown) => x);
    expect(isThriftTransportError(e)).toBe(true);
    expect(registry.find('Catalog/getItem')!.snapshot().counts.failures).toBe(0);
    expect(() => client.setHosts(hostsOf(list))).toThrow(/after close/);
  });

  it('answers calls made right after creation, before any host has connected', async () => {
    const list = servers.get('buffered-compact')!;
    const client = connect('callback', 'buffered-compact', hostsOf(list), new CircuitRegistry());
    const all = await Promise.all([1, 2, 3, 4].map(() => client.getItem('b')));
    expect(all.map((i) => i.name)).toEqual(['bread', 'bread', 'bread', 'bread']);
    await client.close();
  });
});
