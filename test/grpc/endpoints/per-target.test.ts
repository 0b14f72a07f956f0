/**
 * Per-target circuits: clients to different servers, with separate interceptors on one
 * registry, never share a method's circuit (issue 13's new-user case).
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import { createGrpcBreakerInterceptor } from '../../../src/grpc/interceptor.js';
import { isConfigError } from '../../../src/core/errors.js';
import { TestServer, fail, ok } from '../helpers/test-server.js';
import { EchoClientCtor, paths, type EchoClient } from '../helpers/services.js';
import { say } from '../helpers/fixture.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function twoTargets(options: { target?: boolean; circuitName?: never } = {}) {
  const registry = new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 3 } } });
  const a = await TestServer.start('A');
  const b = await TestServer.start('B');
  const client = (server: TestServer): EchoClient => {
    const c = new EchoClientCtor(server.address, grpc.credentials.createInsecure(), {
      interceptors: [
        createGrpcBreakerInterceptor({
          registry,
          ...(options.target === false ? {} : { target: server.address }),
        }),
      ],
    });
    closers.push(() => c.close());
    return c;
  };
  closers.push(
    () => a.close(),
    () => b.close(),
  );
  return { registry, a, b, toA: client(a), toB: client(b) };
}

describe('per-target circuits (gRPC)', () => {
  it('keeps calls to server A succeeding while server B fails and its circuit opens', async () => {
    const { registry, a, b, toA, toB } = await twoTargets();
    b.set(fail(grpc.status.UNAVAILABLE));
    for (let i = 0; i < 5; i++) await say(toB);
    for (let i = 0; i < 10; i++) {
      const r = await say(toA);
      expect(r.error).toBeNull();
      expect(r.value?.server).toBe('A');
    }
    expect(registry.get(`${b.address}${paths.say}`).state).toBe('open');
    expect(registry.get(`${a.address}${paths.say}`).state).toBe('closed');
    expect(a.count()).toBe(10);
  });

  it('names circuits <target><path> and hands circuitName the path and the target', async () => {
    const registry = new CircuitRegistry();
    const server = await TestServer.start('A');
    closers.push(() => server.close());
    const seen: Array<[string, string | undefined]> = [];
    const c = new EchoClientCtor(server.address, grpc.credentials.createInsecure(), {
      interceptors: [
        createGrpcBreakerInterceptor({
          registry,
          target: 'catalog',
          circuitName: (path, target) => {
            seen.push([path, target]);
            return `${target}:${path.split('/')[1]}`;
          },
        }),
      ],
    });
    closers.push(() => c.close());
    server.set(ok);
    await say(c);
    expect(seen).toEqual([[paths.say, 'catalog']]);
    expect(registry.snapshot().map((s) => s.name)).toEqual(['catalog:rpcbreaker.echo.v1.Echo']);
  });

  it('rejects a target that is not a non-empty string, naming the option', () => {
    for (const target of ['', 42, {}]) {
      let error: unknown;
      try {
        createGrpcBreakerInterceptor({ target } as never);
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^target must be a non-empty string/);
    }
  });
});
