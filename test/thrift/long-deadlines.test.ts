/**
 * Thrift deadlines longer than a Node timer can wait (2^31 − 1 ms): a `timeoutMs` beyond it is a
 * ConfigError (Node would fire such a timer after 1 ms), and the longest allowed one does not end
 * a call early.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isConfigError } from '../../src/core/errors.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { createThriftProbe } from '../../src/thrift/probe.js';
import { CatalogServer, hang } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import type { Es6CatalogClient } from './helpers/generated.js';
import { delay } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function connected() {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog('es6', 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  return { s, conn, client: conn.client as Es6CatalogClient };
}

function configErrorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(isConfigError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('expected a ConfigError');
}

describe('Thrift timeoutMs beyond a Node timer', () => {
  it.each([3e9, 2 ** 31, Infinity])('rejects timeoutMs %s naming the option', async (timeoutMs) => {
    const { conn, client } = await connected();
    const e = configErrorOf(() =>
      wrapThriftClient(client, {
        target: false, // circuits named <service>/<method>
        connection: conn.connection,
        methods: { getItem: { timeoutMs } },
      }),
    );
    expect(e.message).toContain('methods["getItem"].timeoutMs');
    expect(e.message).toContain(String(timeoutMs));
    const p = configErrorOf(() => createThriftProbe(client, 'ping', { timeoutMs }));
    expect(p.message).toContain('options.timeoutMs');
  });

  it('keeps a call with the longest allowed timeoutMs pending until its reply', async () => {
    const { s, conn, client } = await connected();
    s.set(hang);
    const rpc = wrapThriftClient(client, {
      target: false, // circuits named <service>/<method>
      connection: conn.connection,
      registry: new CircuitRegistry(),
      defaults: { timeoutMs: 2 ** 31 - 1 },
    });
    let ended = false;
    const p = rpc.getItem('a').then(
      () => (ended = true),
      () => (ended = true),
    );
    await delay(100);
    expect(ended).toBe(false);
    conn.close(); // the watched connection fails the call at once
    await p;
    expect(ended).toBe(true);
  });
});
