/**
 * createThriftProbe: a no-argument method (`ping`) as a circuit's half-open probe, for both
 * generated client styles, against a real server whose `ping` flips between failing, hanging and
 * answering.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { isConfigError } from '../../src/core/errors.js';
import { CircuitRegistry, type FallbackEvent } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { createThriftProbe } from '../../src/thrift/probe.js';
import {
  isThriftTimeoutError,
  isThriftTransportError,
} from '../../src/classify/thrift-call-errors.js';
import { CatalogServer, hang, ok, slow } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import type { ClientStyle, Es6CatalogClient } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 2_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function connected(style: ClientStyle) {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog(style, 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  return { s, client: conn.client as Es6CatalogClient, connection: conn.connection };
}

/** Waits until `cond()` holds, polling every 5 ms; throws after `ms`. */
async function until(cond: () => boolean, ms = BOUND_MS): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  describe(`a ${style}-style client's circuit probed by ping`, () => {
    it('never lets a user call probe, serves fallbacks meanwhile, and closes once ping answers', async () => {
      const { s, client, connection } = await connected(style);
      const clock = new ManualClock(1_000);
      const registry = new CircuitRegistry({ clock });
      const fallbacks: FallbackEvent[] = [];
      registry.onFallback((e) => fallbacks.push(e));
      const probe = createThriftProbe(client, 'ping', { timeoutMs: 150, connection });
      const rpc = wrapThriftClient(client, {
        target: false, // circuits named <service>/<method>
        connection,
        registry,
        methods: {
          getItem: {
            timeoutMs: 500,
            circuit: { trip: { consecutiveFailures: 2 }, openMs: 1_000, halfOpenProbe: probe },
            fallback: { cache: { ttlMs: 600_000 } },
          },
        },
      }) as unknown as AnyRpc;
      const fresh = await rpc.getItem!('a');
      // Made by the first call, with the method's policy.
      const circuit = registry.get('Catalog/getItem');
      s.setMethod('getItem', { kind: 'fail' });
      for (let i = 0; i < 2; i++) await settle(rpc.getItem!('a'), BOUND_MS);
      expect(circuit.state).toBe('open');
      const userCalls = s.count('getItem');

      // Round 1: ping fails on the server; round 2: ping hangs and the probe's deadline ends it.
      const rounds = [{ kind: 'fail' } as const, hang];
      for (const [i, pingBehaviour] of rounds.entries()) {
        s.setMethod('ping', pingBehaviour);
        clock.advance(1_000);
        const served = await settle(rpc.getItem!('a'), BOUND_MS);
        expect(served).toMatchObject({ ok: true, value: fresh });
        expect(circuit.state).toBe('half-open');
        await until(() => circuit.state !== 'half-open');
        expect(circuit.state).toBe('open');
        expect(circuit.snapshot().lastTripReason).toBe('probe-failure');
        expect(s.count('ping')).toBe(i + 1);
      }

      s.setMethod('ping', ok).setMethod('getItem', ok);
      clock.advance(1_000);
      expect(await settle(rpc.getItem!('a'), BOUND_MS)).toMatchObject({ ok: true, value: fresh });
      await until(() => circuit.state === 'closed');
      expect(s.count('ping')).toBe(3);
      expect(s.count('getItem')).toBe(userCalls);
      expect(fallbacks.filter((e) => e.kind === 'cache')).toHaveLength(3);
      // Closed again: user calls reach the server.
      await rpc.getItem!('a');
      expect(s.count('getItem')).toBe(userCalls + 1);
    });
  });

  describe(`createThriftProbe on a ${style}-style client`, () => {
    it('resolves when the method answers and rejects with the failure otherwise', async () => {
      const { s, client } = await connected(style);
      const probe = createThriftProbe(client, 'ping', { timeoutMs: 100 });
      await expect(probe()).resolves.toBeUndefined();
      s.setMethod('ping', { kind: 'fail' });
      await expect(probe()).rejects.toMatchObject({ name: 'TApplicationException' });
      s.setMethod('ping', hang);
      const started = performance.now();
      expect(isThriftTimeoutError(await probe().catch((e: unknown) => e))).toBe(true);
      expect(performance.now() - started).toBeLessThan(400);
      // A late reply to a timed-out probe is dropped; the connection keeps working.
      s.setMethod('ping', slow(150));
      expect(isThriftTimeoutError(await probe().catch((e: unknown) => e))).toBe(true);
      s.setMethod('ping', ok);
      await new Promise((r) => setTimeout(r, 100));
      await expect(probe()).resolves.toBeUndefined();
      expect(s.count('ping')).toBe(5);
    });

    it('fails at once when the connection closes, given the connection', async () => {
      const { s, client, connection } = await connected(style);
      const probe = createThriftProbe(client, 'ping', { timeoutMs: 1_000, connection });
      await probe();
      s.setMethod('ping', { kind: 'close' });
      const r = await settle(probe(), BOUND_MS);
      expect(isThriftTransportError(errorOf(r))).toBe(true);
      expect(r.ms).toBeLessThan(500);
      // While the connection is down, a probe is refused without being queued.
      const down = await settle(probe(), BOUND_MS);
      expect(isThriftTransportError(errorOf(down))).toBe(true);
      expect(down.ms).toBeLessThan(50);
    });

    it('judges the reply with accept', async () => {
      const { client } = await connected(style);
      await expect(
        createThriftProbe(client, 'ping', { accept: (r) => r === 'pong' })(),
      ).resolves.toBeUndefined();
      await expect(
        createThriftProbe(client, 'describe', { accept: (r) => r === 'pong' })(),
      ).rejects.toThrow('describe replied with an unhealthy answer');
    });
  });
}

describe('createThriftProbe options', () => {
  it('throws ConfigError for a method that is unknown, takes arguments, or bad options', async () => {
    const { client } = await connected('es6');
    const bad: Array<[string, object]> = [
      ['nope', {}],
      ['getItem', {}],
      ['ping', { timeoutMs: -1 }],
      ['ping', { connection: {} }],
      ['ping', { accept: 'yes' }],
      ['ping', { deadline: 1 }],
    ];
    for (const [method, options] of bad) {
      let thrown: unknown;
      try {
        createThriftProbe(client, method as never, options);
      } catch (e) {
        thrown = e;
      }
      expect(isConfigError(thrown), `${method} ${JSON.stringify(options)}`).toBe(true);
    }
    expect(() => createThriftProbe({} as object, 'x' as never)).toThrow(/generated by thrift/);
  });
});
