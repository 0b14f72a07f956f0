/**
 * The multi-host Thrift client's host list over time: the ejection cap and the all-sick case,
 * re-admission after the open period, reconnecting to a restarted server, hosts added and
 * removed at run time without dropping calls in flight, HTTP hosts, closing, and its options.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError } from '../../../src/core/errors.js';
import { isThriftTimeoutError } from '../../../src/classify/thrift-call-errors.js';
import { createThriftHostsClient } from '../../../src/thrift/hosts/hosts-client.js';
import { CatalogServer, hang, ok, slow } from '../helpers/catalog-server.js';
import { expectHandlesClosed } from '../helpers/handles.js';
import { genEs6, thrift } from '../helpers/generated.js';
import { addresses, calls, cleanup, counts, hostsClient, servers, until } from './pool.js';

expectHandlesClosed();
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const fastOpen = { circuit: { openMs: 300, trip: { consecutiveFailures: 2 } } };
const ejectedCount = (c: { hosts(): Array<{ ejected: boolean }> }) =>
  c.hosts().filter((h) => h.ejected).length;

describe('hosts client: ejection cap', () => {
  for (const [percent, cap] of [
    [undefined, 2],
    [25, 1],
  ] as const) {
    it(`ejects at most ${cap} of 4 hosts when 3 are sick (maxEjectionPercent ${percent ?? 'default 50'})`, async () => {
      const s = await servers(4);
      // Application errors count against a host only when listed, as here.
      const { client } = hostsClient(addresses(s), {
        endpoint: {
          ...fastOpen,
          failOn: ['transport', 'timeout', 'application'],
          ...(percent === undefined ? {} : { maxEjectionPercent: percent }),
        },
        methods: { getItem: { circuit: { trip: { consecutiveFailures: 1_000 } } } },
      });
      await until(() => client.hosts().every((h) => h.connected));
      for (const x of s.slice(1)) x.set({ kind: 'fail' });
      await calls(client, 40);
      expect(ejectedCount(client)).toBe(cap);
      // The sick hosts kept in rotation by the cap still get calls.
      const sickInRotation = client.hosts().filter((h, i) => i > 0 && !h.ejected);
      expect(sickInRotation).toHaveLength(3 - cap);
    });
  }

  it('uses every host when all are sick: calls end with their own failure, never hang', async () => {
    const s = await servers(2);
    const { client } = hostsClient(addresses(s), {
      defaults: { timeoutMs: 200 },
      endpoint: fastOpen,
      methods: { getItem: { circuit: { trip: { consecutiveFailures: 100 } } } },
    });
    await until(() => client.hosts().every((h) => h.connected));
    for (const x of s) x.set(hang);
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => client.getItem!('a')),
    );
    expect(performance.now() - started).toBeLessThan(3_000);
    for (const r of results)
      expect(isThriftTimeoutError((r as PromiseRejectedResult).reason)).toBe(true);
    expect(ejectedCount(client)).toBe(0);
    expect(counts(s).every((n) => n > 0)).toBe(true);
  });
});

describe('hosts client: hosts coming back', () => {
  it('takes a recovered host back after its open period, through a probe call', async () => {
    const s = await servers(2);
    const { client } = hostsClient(addresses(s), {
      defaults: { timeoutMs: 200 },
      endpoint: fastOpen,
      methods: { getItem: { idempotent: true } },
    });
    await until(() => client.hosts().every((h) => h.connected));
    s[1]!.set(hang);
    await calls(client, 10);
    expect(client.hosts()[1]!.ejected).toBe(true);
    s[1]!.set(ok);
    const before = s[1]!.count('getItem');
    await new Promise((r) => setTimeout(r, 400));
    await calls(client, 10);
    expect(client.hosts()[1]).toMatchObject({ ejected: false, state: 'closed' });
    expect(s[1]!.count('getItem')).toBeGreaterThan(before + 2);
  });

  it('reconnects by itself to a restarted server, and its calls succeed again', async () => {
    const s = await servers(2);
    const { client } = hostsClient(addresses(s), {
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      methods: { getItem: { idempotent: true } },
    });
    await until(() => client.hosts().every((h) => h.connected));
    const port = s[1]!.port;
    await s[1]!.close();
    await until(() => !client.hosts()[1]!.connected);
    expect(await calls(client, 6)).toBe(6); // the other host answers meanwhile
    const restarted = await CatalogServer.start('framed-binary', port);
    cleanup.push(() => restarted.close());
    await until(() => client.hosts()[1]!.connected, 5_000);
    expect(await calls(client, 10)).toBe(10);
    expect(restarted.count('getItem')).toBe(5);
  });
});

describe('hosts client: host list changes', () => {
  it('adds a host that starts getting calls, and removes one without dropping its call in flight', async () => {
    const s = await servers(3);
    const [a, b, c] = addresses(s);
    const { client } = hostsClient([a!, b!]);
    await until(() => client.hosts().every((h) => h.connected));
    s[1]!.set(slow(300));
    const inFlight = client.getItem!('a'); // round robin: to a first, then b
    const onB = client.getItem!('a');
    await until(() => s[1]!.count('getItem') === 1);
    client.setHosts([a!, c!]);
    expect(client.hosts().map((h) => h.target)).toEqual([a, c]);
    await expect(onB).resolves.toMatchObject({ id: 'a' });
    await inFlight;
    await until(() => client.hosts().every((h) => h.connected));
    expect(await calls(client, 10)).toBe(10);
    expect(s[1]!.count('getItem')).toBe(1);
    expect(s[2]!.count('getItem')).toBe(5);
    await until(() => s[1]!.connections === 0); // the removed host's connection closed once drained
  });

  it('checks a new host list like the first', () => {
    const { client } = hostsClient(['127.0.0.1:1']);
    expect(() => client.setHosts([])).toThrow(/hosts must be a non-empty array/);
    expect(() => client.setHosts(['127.0.0.1:1', '127.0.0.1:1'])).toThrow(/already listed/);
  });
});

describe('hosts client: HTTP, closing, options', () => {
  it('spreads calls over HTTP hosts and fails over from one that refuses', async () => {
    const s = await servers(2, 'http');
    const { client } = hostsClient(
      [...addresses(s), '127.0.0.1:1'],
      { methods: { getItem: { idempotent: true } } },
      'es6',
      'http',
    );
    expect(await calls(client, 12)).toBe(12);
    expect(counts(s).reduce((x, y) => x + y)).toBe(12);
  });

  it('rejects calls after close and leaves no timer or socket behind', async () => {
    const s = await servers(1);
    const { client } = hostsClient(addresses(s));
    await until(() => client.hosts().every((h) => h.connected));
    await client.close();
    await expect(client.getItem!('a')).rejects.toThrow(/closed/);
  });

  it.each([
    [{ hosts: [] }, 'hosts'],
    [{ hosts: ['nohost'] }, 'hosts[0]'],
    [{ hosts: ['127.0.0.1:0'] }, 'hosts[0].port'],
    [{ hosts: [{ host: '', port: 1 }] }, 'hosts[0].host'],
    [{ hosts: ['a:1'], connection: {} }, 'connection'],
    [{ hosts: ['a:1'], endpoint: { maxEjectionPercent: 120 } }, 'endpoint.maxEjectionPercent'],
    [{ hosts: ['a:1'], endpoint: { failOn: ['nope'] } }, 'endpoint.failOn[0]'],
    [
      { hosts: ['a:1'], endpoint: { circuit: { slowCallRate: 2 } } },
      'endpoint.circuit.slowCallRate',
    ],
    [{ hosts: ['a:1'], reconnect: { multiplier: 0 } }, 'reconnect.multiplier'],
    [
      { hosts: ['a:1'], reconnect: { initialDelayMs: 500, maxDelayMs: 100 } },
      'reconnect.maxDelayMs',
    ],
    [{ hosts: ['a:1'], http: { path: 'x' } }, 'http.path'],
    [{ hosts: ['a:1'], methods: { nope: {} } }, 'methods["nope"]'],
  ])('rejects %o with a ConfigError naming %s', (options, path) => {
    let caught: unknown;
    try {
      createThriftHostsClient(thrift, genEs6.Catalog, options as never);
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as { path: string }).path).toBe(path);
  });

  it('rejects something that is not the thrift module, or not a generated service', () => {
    expect(() => createThriftHostsClient({} as never, genEs6.Catalog, { hosts: ['a:1'] })).toThrow(
      /thrift must be the npm 'thrift' module/,
    );
    expect(() => createThriftHostsClient(thrift, 42 as never, { hosts: ['a:1'] })).toThrow(
      /^service/,
    );
  });
});
