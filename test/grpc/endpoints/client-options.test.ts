/**
 * `createGrpcBreakerClientOptions`: the breaker learns each client's channel target by itself,
 * so clients of different servers on one registry never share a circuit although nobody named a
 * target — with one options object per client or one shared by both, for unary and streaming
 * calls; an explicit `target` still wins; a user's interceptors and transformer are composed.
 */
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import {
  createGrpcBreakerClientOptions,
  type GrpcBreakerClientOptions,
} from '../../../src/grpc/client-options.js';
import { isConfigError } from '../../../src/core/errors.js';
import { TestServer, fail, ok } from '../helpers/test-server.js';
import { EchoClientCtor, paths, type EchoClient } from '../helpers/services.js';
import { say } from '../helpers/fixture.js';
import { readStream } from '../helpers/calls.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function servers() {
  const a = await TestServer.start('A');
  const b = await TestServer.start('B');
  closers.push(
    () => a.close(),
    () => b.close(),
  );
  return { a, b };
}

function client(server: TestServer, options: GrpcBreakerClientOptions): EchoClient {
  const c = new EchoClientCtor(server.address, grpc.credentials.createInsecure(), options);
  closers.push(() => c.close());
  return c;
}

const registryOf = () => new CircuitRegistry({ defaults: { trip: { consecutiveFailures: 3 } } });

describe('createGrpcBreakerClientOptions', () => {
  for (const shared of [false, true]) {
    it(`names circuits by each channel's target (${shared ? 'one options object for both clients' : 'options per client'})`, async () => {
      const registry = registryOf();
      const { a, b } = await servers();
      const one = createGrpcBreakerClientOptions({ registry });
      const toA = client(a, shared ? one : createGrpcBreakerClientOptions({ registry }));
      const toB = client(b, one);
      b.set(fail(grpc.status.UNAVAILABLE));
      for (let i = 0; i < 5; i++) await say(toB);
      for (let i = 0; i < 10; i++) expect((await say(toA)).value?.server).toBe('A');
      // grpc-js reports the target as dns:127.0.0.1:<port>; the default scheme is left out.
      expect(registry.find(`${b.address}${paths.say}`)?.state).toBe('open');
      expect(registry.find(`${a.address}${paths.say}`)?.state).toBe('closed');
      expect(registry.find(paths.say)).toBeUndefined();
      expect(a.count()).toBe(10);
    });
  }

  it('names a streaming call’s circuit by the target too', async () => {
    const registry = registryOf();
    const { a } = await servers();
    a.set(ok);
    const c = client(a, createGrpcBreakerClientOptions({ registry }));
    await readStream(c.Repeat({ message: 'x', count: 2 } as never));
    expect(registry.snapshot().map((s) => s.name)).toEqual([`${a.address}${paths.repeat}`]);
  });

  it('lets an explicit target win over the channel’s', async () => {
    const registry = registryOf();
    const { a } = await servers();
    a.set(ok);
    await say(client(a, createGrpcBreakerClientOptions({ registry, target: 'catalog' })));
    expect(registry.snapshot().map((s) => s.name)).toEqual([`catalog${paths.say}`]);
  });

  it('runs the user’s transformer first and the user’s interceptors below the breaker', async () => {
    const registry = registryOf();
    const { a } = await servers();
    a.set(ok);
    const seen: string[] = [];
    const mine: grpc.Interceptor = (options, next) => {
      seen.push(`interceptor ${options.method_definition.path}`);
      return new grpc.InterceptingCall(next(options));
    };
    const options = createGrpcBreakerClientOptions(
      { registry },
      {
        interceptors: [mine],
        callInvocationTransformer: (props: { methodDefinition: { path: string } }) => {
          seen.push(`transformer ${props.methodDefinition.path}`);
          return props;
        },
      },
    );
    expect(options.interceptors).toHaveLength(2);
    expect((await say(client(a, options))).value?.server).toBe('A');
    expect(seen).toEqual([`transformer ${paths.say}`, `interceptor ${paths.say}`]);
    expect(registry.snapshot().map((s) => s.name)).toEqual([`${a.address}${paths.say}`]);
  });

  it('rejects extras that are not interceptors or a transformer, naming them', () => {
    for (const [extras, path] of [
      [{ interceptors: 'x' }, 'extras.interceptors'],
      [{ interceptors: [42] }, 'extras.interceptors'],
      [{ callInvocationTransformer: 1 }, 'extras.callInvocationTransformer'],
    ] as const) {
      let error: unknown;
      try {
        createGrpcBreakerClientOptions({}, extras as never);
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error)).toBe(true);
      expect((error as { path: string }).path).toBe(path);
    }
  });
});
