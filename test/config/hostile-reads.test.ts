/**
 * Counterexamples of the fuzzing (issue #12) as plain unit tests: options that throw when read,
 * options that change between reads, and hostile own keys. Every entry point reads its options
 * once into a copy, so each of these is a ConfigError naming the option (with what the getter
 * threw as `cause`) or is handled as the first read said.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { formatValue, isConfigError } from '../../src/core/errors.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { createStatusHandler } from '../../src/metrics/status-handler.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { gen, thrift } from '../thrift/helpers/generated.js';
import { HostileReadError, throwingGetter, throwingProxy } from './hostile-options.js';

function thrown(f: () => unknown): Error & { path?: string } {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

/** A real generated client that is never connected (no call is made). */
function catalogClient(): object {
  return new gen.Catalog.Client(new thrift.TBufferedTransport(), thrift.TBinaryProtocol);
}

describe('options whose getters throw', () => {
  it('a nested option is named, with the original error as cause', () => {
    const e = thrown(() => new CircuitRegistry({ defaults: throwingGetter('openMs') as never }));
    expect(isConfigError(e)).toBe(true);
    expect(e.message).toMatch(/^defaults\.openMs could not be read \(a getter or Proxy threw\)/);
    expect(e.cause).toBeInstanceOf(HostileReadError);
  });

  it('a Proxy whose traps throw is named by its own path', () => {
    const registry = new CircuitRegistry();
    const e = thrown(() => registry.get('svc', throwingProxy() as never));
    expect(isConfigError(e)).toBe(true);
    expect(e.path).toBe('circuit');
    expect(e.cause).toBeInstanceOf(HostileReadError);
    expect(registry.size).toBe(0);
  });

  it('a throwing getter deep in an adapter policy names the whole path', () => {
    const e = thrown(() =>
      createGrpcBreakerInterceptor({
        methods: { '/a.B/C': { retry: throwingGetter('budget', { maxAttempts: 2 }) as never } },
      }),
    );
    expect(e.path).toBe('methods["/a.B/C"].retry.budget');
    expect(e.cause).toBeInstanceOf(HostileReadError);
  });

  it('a failure class behind a Proxy is a ConfigError naming the list entry', () => {
    const e = thrown(() =>
      wrapThriftClient(catalogClient(), {
        connection: null,
        defaults: { failOn: [throwingProxy(class Hostile extends Error {}) as never] },
      }),
    );
    expect(e.path).toBe('defaults.failOn[0]');
    expect(e.cause).toBeInstanceOf(HostileReadError);
  });

  it('a status handler option is named', () => {
    const e = thrown(() =>
      createStatusHandler(new CircuitRegistry(), throwingGetter('maxRows') as never),
    );
    expect(e.path).toBe('maxRows');
  });

  it('formatting a value for a message never throws, even for a Proxy that throws on symbols', () => {
    const everything = new Proxy(
      {},
      {
        get: () => {
          throw new HostileReadError('no');
        },
        getPrototypeOf: () => {
          throw new HostileReadError('no');
        },
      },
    );
    expect(formatValue(everything)).toBe('an unreadable object');
  });
});

describe('options that change between reads', () => {
  it('the registry uses the defaults its validation saw: they are read once', () => {
    let reads = 0;
    const options = {
      get defaults() {
        return reads++ === 0 ? { trip: { consecutiveFailures: 1 } } : 'not a policy';
      },
      clock: new ManualClock(),
    };
    const registry = new CircuitRegistry(options as never);
    expect(reads).toBe(1);
    registry.get('svc').tryAcquire()!.record('failure');
    expect(registry.get('svc').state).toBe('open');
  });
});

describe('objects that only look like what an option wants', () => {
  it('a Map as registry is a ConfigError, not a TypeError on the first call', () => {
    for (const make of [
      () => createGrpcBreakerInterceptor({ registry: new Map() as never }),
      () => wrapThriftClient(catalogClient(), { connection: null, registry: new Map() as never }),
    ]) {
      expect(thrown(make).message).toMatch(/^registry must be a CircuitRegistry/);
    }
  });
});

describe('hostile own keys', () => {
  it('a methods key __proto__ is an entry (a malformed gRPC method key), not the prototype', () => {
    const methods = JSON.parse('{"__proto__": {"timeoutMs": 5}}') as object;
    const e = thrown(() => createGrpcBreakerInterceptor({ methods: methods as never }));
    expect(isConfigError(e)).toBe(true);
    expect(e.path).toBe('methods["__proto__"]');
  });

  it('a Thrift methods key constructor is not taken for an RPC method', () => {
    const e = thrown(() =>
      wrapThriftClient(catalogClient(), {
        connection: null,
        methods: { constructor: { timeoutMs: 5 } } as never,
      }),
    );
    expect(e.path).toBe('methods["constructor"]');
    expect(e.message).toMatch(/is not an RPC method of this client/);
  });

  it('a client whose prototype chain never ends is a ConfigError, not a hang', () => {
    const endless = (): object =>
      new Proxy({}, { getPrototypeOf: () => endless(), ownKeys: () => [] });
    const e = thrown(() => wrapThriftClient(endless(), { connection: null }));
    expect(isConfigError(e)).toBe(true);
    expect(e.path).toBe('client');
  });
});
