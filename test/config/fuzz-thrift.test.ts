/**
 * Issue #12, the Thrift entry points over fuzzed options: `wrapThriftClient(client, options)`
 * and `createThriftProbe(client, method, options)`, with real generated clients (callback and
 * Promise styles) connected to a real Catalog server. Each call is accepted or rejected with a
 * ConfigError naming the option.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { createThriftProbe } from '../../src/thrift/probe.js';
import { fcRuns } from '../fc-runs.js';
import { CatalogServer } from '../thrift/helpers/catalog-server.js';
import { connectCatalog, type Connected } from '../thrift/helpers/clients.js';
import { gen } from '../thrift/helpers/generated.js';
import { acceptedOrConfigError, expectBothOutcomes, firstCallSettles } from './config-property.js';
import { goodMs, hostileValue, optionsOf, pick } from './hostile-options.js';
import { methodPolicy, methodsMap } from './option-schemas.js';

let server: CatalogServer;
let conns: Connected<object>[] = [];

beforeAll(async () => {
  server = await CatalogServer.start('framed-binary');
  conns = [
    connectCatalog('callback', 'framed-binary', server.port),
    connectCatalog('es6', 'framed-binary', server.port),
  ];
  // Every accepted configuration watches its connection: many listeners, on purpose.
  for (const c of conns) c.connection.setMaxListeners(0);
});

afterAll(async () => {
  for (const c of conns) c.close();
  await server.close();
});

const failure = pick(
  ['transport', 'timeout', 'application', 'protocol', 'declared', gen.types.NotFound],
  ['nope', Error, class NotAnError {}, () => 1],
);
const methodNames = [
  'ping',
  'getItem',
  'putItem',
  'recordView',
  'listItems',
  '*',
  'nope',
  'send_ping',
  'constructor',
];

function optionsFor(connection: unknown) {
  return optionsOf({
    connection: pick([connection], [{ on: 1 }]),
    registry: fc.oneof(
      { weight: 5, arbitrary: fc.constant(null).map(() => new CircuitRegistry()) },
      { weight: 1, arbitrary: fc.constant({ get: 'x' }) },
    ),
    service: pick(['Catalog'], ['']),
    defaults: methodPolicy(failure),
    methods: methodsMap(methodNames, failure),
    target: pick([true, false, 'catalog:9090'], [' ']),
  });
}

describe('fuzzed Thrift options', () => {
  it('wrapThriftClient(client, options): accepted (and a first call settles) or a ConfigError', async () => {
    for (const { client, connection } of conns) {
      await fc.assert(
        fc.asyncProperty(optionsFor(connection), async (options) => {
          const made = acceptedOrConfigError(() => wrapThriftClient(client, options as never));
          if (!made) return;
          const wrapped = made.value as unknown as { ping(): Promise<unknown> };
          await firstCallSettles(() => wrapped.ping());
        }),
        { numRuns: fcRuns(2_000) },
      );
      // `connection` is required and optional in the schema: fewer random objects pass.
      expectBothOutcomes(0.003);
    }
  });

  it('createThriftProbe(client, method, options): accepted or a ConfigError', () => {
    for (const { client, connection } of conns) {
      const probeOptions = optionsOf({
        timeoutMs: goodMs,
        connection: pick([connection], [{ on: 'x' }]),
        accept: fc.constant(() => true),
      });
      const method = fc.oneof(
        { weight: 4, arbitrary: pick(['ping', 'describe'], ['getItem', 'recordView', 'nope']) },
        { weight: 1, arbitrary: hostileValue },
      );
      fc.assert(
        fc.property(method, probeOptions, (m, options) => {
          const made = acceptedOrConfigError(() =>
            createThriftProbe(client, m as never, options as never),
          );
          if (made) expect(typeof made.value).toBe('function');
        }),
        { numRuns: fcRuns(1_000) },
      );
      expectBothOutcomes();
    }
  });

  it('wrapThriftClient(client): anything but a generated client is a ConfigError', () => {
    fc.assert(
      fc.property(hostileValue, (client) => {
        acceptedOrConfigError(() => wrapThriftClient(client as never, { connection: null }));
      }),
      { numRuns: fcRuns(200) },
    );
  });
});
