import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { readAdapterOptions } from '../../src/registry/adapter-options.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';

const KNOWN: ReadonlySet<string> = new Set(['registry', 'defaults', 'methods', 'service']);

function failureName(f: unknown, path: string): string {
  if (typeof f !== 'string') throw new ConfigError(path, 'must be a failure name', f);
  return f;
}

/** Reads `options` as a Thrift-like adapter would: a method key looks up itself, then `*`. */
function read(options: unknown, checkKey: (key: string) => void = () => {}) {
  return readAdapterOptions(options, KNOWN, failureName, (key) => [key, '*'], checkKey);
}

describe('readAdapterOptions', () => {
  it('takes no options as empty options', () => {
    const o = read(undefined);
    expect(o.raw).toEqual({});
    expect(o.registry).toBeUndefined();
    expect(o.defaults).toBeUndefined();
    expect(o.methods).toEqual({});
    expect(o.resolve('get')).toEqual({});
  });

  it('rejects an unknown option under the path "options"', () => {
    expect(() => read({ servce: 'x' })).toThrow('options.servce is not a known option; got "x"');
    expect(() => read(7)).toThrow('options must be an object; got 7');
  });

  it('keeps the adapter’s own keys in a copy', () => {
    const options = { service: 'Catalog' };
    const o = read(options);
    expect(o.raw).toEqual({ service: 'Catalog' });
    expect(o.raw).not.toBe(options);
  });

  it('accepts a CircuitRegistry and rejects an object lacking one of its methods', () => {
    const registry = new CircuitRegistry();
    expect(read({ registry }).registry).toBe(registry);
    const map = new Map();
    expect(() => read({ registry: map })).toThrow('registry must be a CircuitRegistry; got {}');
    for (const missing of ['get', 'find', 'onStateChange', 'recordFallback']) {
      const partial = {
        get: () => {},
        find: () => {},
        onStateChange: () => {},
        recordFallback: () => {},
        [missing]: undefined,
      };
      expect(() => read({ registry: partial }), missing).toThrow(
        /^registry must be a CircuitRegistry/,
      );
    }
  });

  it('names the registry when reading it throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(() => read({ registry: hostile })).toThrow(
      expect.objectContaining({
        path: 'registry',
        message: expect.stringMatching(/^registry could not be read/),
      }),
    );
  });

  it('validates defaults under the path "defaults" and methods under "methods"', () => {
    expect(read({ defaults: { timeoutMs: 5 } }).defaults).toEqual({ timeoutMs: 5 });
    expect(() => read({ defaults: { timeoutMs: -1 } })).toThrow(/^defaults\.timeoutMs must be/);
    expect(() => read({ methods: { get: { idempotent: 1 } } })).toThrow(
      'methods["get"].idempotent must be a boolean; got 1',
    );
  });

  it('asks the adapter to check every method key but the wildcard', () => {
    const checkKey = vi.fn((key: string) => {
      if (key === 'bad') throw new ConfigError(`methods["${key}"]`, 'is not a method', key);
    });
    read({ methods: { '*': { timeoutMs: 1 }, get: { timeoutMs: 2 } } }, checkKey);
    expect(checkKey.mock.calls).toEqual([['get']]);
    expect(() => read({ methods: { bad: {} } }, checkKey)).toThrow(
      'methods["bad"] is not a method; got "bad"',
    );
  });

  it('resolves a key through its lookup chain over the defaults', () => {
    const o = read({
      defaults: { timeoutMs: 1, idempotent: true },
      methods: { '*': { timeoutMs: 2 }, get: { timeoutMs: 3 } },
    });
    expect(o.resolve('get')).toEqual({ timeoutMs: 3, idempotent: true });
    expect(o.resolve('put')).toEqual({ timeoutMs: 2, idempotent: true });
  });

  it('checks the merged policy of the wildcard and of every method key', () => {
    const keysOf = vi.fn((key: string) => [key, '*']);
    readAdapterOptions(
      { methods: { get: { circuit: { openMs: 5 } } } },
      KNOWN,
      failureName,
      keysOf,
      () => {},
    );
    expect(keysOf.mock.calls).toEqual([['*'], ['get']]);
  });
});
