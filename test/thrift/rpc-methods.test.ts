import { afterEach, describe, expect, it } from 'vitest';
import { defaultServiceName, discoverRpcMethods } from '../../src/thrift/rpc-methods.js';
import { isConfigError } from '../../src/core/errors.js';
import { connectCatalog, connectCatalogV2, closedPort } from './helpers/clients.js';

const ALL = [
  'delayedEcho',
  'describe',
  'findByName',
  'getItem',
  'getItemCount',
  'listItems',
  'ping',
  'putItem',
  'recordView',
];

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

async function v2(style: 'callback' | 'es6') {
  const c = connectCatalogV2(style, 'framed-binary', await closedPort());
  cleanup.push(c.close);
  return c.client;
}

describe('RPC method discovery', () => {
  for (const style of ['callback', 'es6'] as const) {
    it(`finds every RPC of a ${style}-style client, inherited ones included, and nothing else`, async () => {
      const methods = discoverRpcMethods(await v2(style));
      expect([...methods.keys()].sort()).toEqual(ALL);
      expect(methods.get('recordView')?.oneway).toBe(true);
      expect(methods.get('ping')?.oneway).toBe(false);
      expect(methods.get('delayedEcho')?.arity).toBe(2);
      expect(new Set([...methods.values()].map((m) => m.style))).toEqual(
        new Set([style === 'es6' ? 'promise' : 'callback']),
      );
    });

    it(`names the service of a ${style}-style client after its most derived service`, async () => {
      expect(defaultServiceName(await v2(style))).toBe('CatalogV2');
      const c = connectCatalog(style, 'framed-binary', await closedPort());
      cleanup.push(c.close);
      expect(defaultServiceName(c.client)).toBe('Catalog');
    });
  }

  it('rejects an object that is not a generated client with ConfigError', () => {
    for (const bad of [null, 42, {}, { ping() {} }]) {
      let caught: unknown;
      try {
        discoverRpcMethods(bad);
      } catch (e) {
        caught = e;
      }
      expect(isConfigError(caught)).toBe(true);
    }
  });

  it('calls an anonymous client class "thrift"', () => {
    expect(defaultServiceName({})).toBe('thrift');
  });
});
