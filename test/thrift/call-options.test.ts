/**
 * Per-call options of a wrapped Thrift client (`thriftCallOptions({ signal, timeoutMs })` as the
 * last argument) against a real server, for both generated styles: the call's own deadline, and
 * a caller's abort before sending, while waiting for the reply, during a retry delay and during
 * an async fallback — each ends the call at once with the signal's reason and counts as nothing
 * on the circuit. Also: the required `connection` option.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { isConfigError } from '../../src/core/errors.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { thriftCallOptions } from '../../src/thrift/call-options.js';
import type { ThriftMethodPolicy } from '../../src/thrift/types.js';
import { isThriftTimeoutError } from '../../src/classify/thrift-call-errors.js';
import { CatalogServer, hang, slow } from './helpers/catalog-server.js';
import { closedPort, connectCatalog } from './helpers/clients.js';
import type { ClientStyle } from './helpers/generated.js';
import { errorOf, settle } from './helpers/settle.js';
import { expectHandlesClosed } from './helpers/handles.js';

const BOUND_MS = 3_000;
type AnyRpc = Record<string, (...args: unknown[]) => Promise<unknown>>;

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(style: ClientStyle, defaults: ThriftMethodPolicy = {}) {
  const s = await CatalogServer.start('framed-binary');
  cleanup.push(() => s.close());
  const conn = connectCatalog(style, 'framed-binary', s.port);
  cleanup.push(() => conn.close());
  // One failure would open the circuit: a caller's abort counted as one would show.
  const registry = new CircuitRegistry({
    defaults: { trip: { consecutiveFailures: 1 }, openMs: 60_000 },
  });
  const rpc = wrapThriftClient(conn.client, {
    target: false, // circuits named <service>/<method>
    connection: conn.connection,
    registry,
    defaults,
  }) as unknown as AnyRpc;
  const circuit = () => registry.snapshot().find((c) => c.name === 'Catalog/getItem');
  return { s, rpc, registry, circuit };
}

function abortReason(): Error {
  return Object.assign(new Error('caller gave up'), { name: 'AbortError' });
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  describe(`per-call options, ${style}-style client`, () => {
    it("ends a call at the call's own timeoutMs, shorter than the method's", async () => {
      const { s, rpc } = await setup(style, { timeoutMs: 10_000 });
      s.set(hang);
      const r = await settle(rpc.getItem!('a', thriftCallOptions({ timeoutMs: 150 })), BOUND_MS);
      expect(isThriftTimeoutError(errorOf(r))).toBe(true);
      expect(r.ms).toBeLessThan(2_000);
    });

    it("lets a call run past the method's timeoutMs when its own is longer", async () => {
      const { s, rpc } = await setup(style, { timeoutMs: 100 });
      s.set(slow(400));
      const r = await settle(rpc.getItem!('a', thriftCallOptions({ timeoutMs: 2_500 })), BOUND_MS);
      expect(r).toMatchObject({ ok: true });
    });

    it('does not send a call whose signal is already aborted, and counts nothing', async () => {
      const { s, rpc, circuit } = await setup(style);
      const reason = abortReason();
      const signal = AbortSignal.abort(reason);
      const r = await settle(rpc.getItem!('a', thriftCallOptions({ signal })), BOUND_MS);
      expect(errorOf(r)).toBe(reason);
      expect(s.count('getItem')).toBe(0);
      expect(circuit()?.state ?? 'closed').toBe('closed');
    });

    it('ends a pending call at once on abort, leaves the circuit closed and drops the late reply', async () => {
      const { s, rpc, circuit } = await setup(style);
      s.set(slow(600));
      const controller = new AbortController();
      const call = settle(
        rpc.getItem!('a', thriftCallOptions({ signal: controller.signal })),
        BOUND_MS,
      );
      setTimeout(() => controller.abort(abortReason()), 100);
      const r = await call;
      expect((errorOf(r) as Error).message).toBe('caller gave up');
      expect(r.ms).toBeLessThan(500);
      expect(circuit()?.state).toBe('closed');
      expect(circuit()?.counts.failures).toBe(0);
      expect(circuit()?.counts.ignored).toBe(1);
      // The abandoned call's late reply must not answer the next call.
      s.set(slow(0));
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await settle(rpc.getItem!('b'), BOUND_MS)).toMatchObject({
        ok: true,
        value: expect.objectContaining({ id: 'b' }),
      });
    });

    it('ends a call waiting for its retry on abort, without another attempt', async () => {
      const { s, rpc } = await setup(style, {
        retry: { maxAttempts: 5, initialDelayMs: 800, maxDelayMs: 10_000 },
        circuit: { trip: { consecutiveFailures: 10 } },
      });
      s.set({ kind: 'fail' });
      const controller = new AbortController();
      const signal = controller.signal;
      const call = settle(rpc.getItem!('a', thriftCallOptions({ signal })), BOUND_MS);
      let sentBeforeAbort = 0;
      setTimeout(() => {
        sentBeforeAbort = s.count('getItem');
        controller.abort(abortReason());
      }, 300);
      const r = await call;
      expect((errorOf(r) as Error).message).toBe('caller gave up');
      expect(r.ms).toBeLessThan(1_000);
      // Full-jitter delays: retries may have run before the abort, none after it.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(sentBeforeAbort).toBeGreaterThanOrEqual(1);
      expect(s.count('getItem')).toBe(sentBeforeAbort);
    });

    it('ends a call waiting on an async fallback on abort', async () => {
      const { s, rpc, circuit } = await setup(style, {
        fallback: { value: () => new Promise(() => {}) },
      });
      s.set({ kind: 'fail' });
      await settle(rpc.getItem!('a'), BOUND_MS); // one failure opens the circuit
      expect(circuit()?.state).toBe('open');
      const controller = new AbortController();
      const call = settle(
        rpc.getItem!('a', thriftCallOptions({ signal: controller.signal, timeoutMs: 5_000 })),
        BOUND_MS,
      );
      setTimeout(() => controller.abort(abortReason()), 300);
      const r = await call;
      expect((errorOf(r) as Error).message).toBe('caller gave up');
      expect(r.ms).toBeLessThan(2_000);
    });

    it('takes options before a trailing callback, and lets go of the signal when the call ends', async () => {
      const { rpc } = await setup(style);
      const controller = new AbortController();
      const answered = new Promise<unknown>((resolve, reject) =>
        rpc.getItem!(
          'a',
          thriftCallOptions({ signal: controller.signal }),
          (e: unknown, v: unknown) => (e ? reject(e as Error) : resolve(v)),
        ),
      );
      expect(await answered).toMatchObject({ id: 'a' });
      for (let i = 0; i < 20; i++)
        await rpc.getItem!('a', thriftCallOptions({ signal: controller.signal }));
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });
}

describe('thriftCallOptions', () => {
  it.each([
    [{ timeoutMs: Number.NaN }, 'thriftCallOptions.timeoutMs'],
    [{ timeoutMs: -1 }, 'thriftCallOptions.timeoutMs'],
    [{ timeoutMs: 3e9 }, 'thriftCallOptions.timeoutMs'],
    [{ signal: {} }, 'thriftCallOptions.signal'],
    [{ deadline: 5 }, 'thriftCallOptions.deadline'],
    [null, 'thriftCallOptions'],
  ])('rejects %o with a ConfigError naming %s', (init, path) => {
    let caught: unknown;
    try {
      thriftCallOptions(init as never);
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as { path: string }).path).toBe(path);
  });
});

describe('wrapThriftClient connection option', () => {
  it('is required: without it a ConfigError names it; null opts out', async () => {
    const conn = connectCatalog('es6', 'framed-binary', await closedPort());
    cleanup.push(() => conn.close());
    let caught: unknown;
    try {
      wrapThriftClient(conn.client, { service: 'Catalog' } as never);
    } catch (e) {
      caught = e;
    }
    expect(isConfigError(caught)).toBe(true);
    expect((caught as { path: string }).path).toBe('connection');
    expect(() => wrapThriftClient(conn.client, { connection: null })).not.toThrow();
  });
});
