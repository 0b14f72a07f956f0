/**
 * Type-level checks of `wrapThriftClient`, verified by `tsc` (npm run typecheck): the wrapped
 * client keeps the generated type, `methods` keys are the client's RPC method names, and a wrong
 * key is a type error. The runtime part only makes sure the file runs.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { thriftCallOptions } from '../../src/thrift/call-options.js';
import type {
  RpcMethodOf,
  ThriftConnection,
  ThriftMethodPolicies,
} from '../../src/thrift/types.js';
import type {
  Es6CatalogClient,
  Es6CatalogV2Client,
  NodeCatalogClient,
} from './helpers/generated.js';
import { genEs6 } from './helpers/generated.js';

type CatalogMethods =
  | 'ping'
  | 'describe'
  | 'getItem'
  | 'listItems'
  | 'findByName'
  | 'putItem'
  | 'recordView'
  | 'delayedEcho';

/** Only called for its types: wrapping needs a real client. */
function typeChecks(es6: Es6CatalogClient, node: NodeCatalogClient, connection: ThriftConnection) {
  const wrapped = wrapThriftClient(es6, {
    target: false, // circuits named <service>/<method>
    connection,
    service: 'catalog',
    methods: {
      getItem: { timeoutMs: 500, failOn: ['transport', 'timeout', genEs6.types.Overloaded] },
      '*': { circuit: { trip: { consecutiveFailures: 3 } } },
    },
  });
  // Still usable wherever the generated client type is expected.
  expectTypeOf(wrapped).toExtend<Es6CatalogClient>();
  expectTypeOf(wrapped.getItem('a')).toEqualTypeOf<
    Promise<InstanceType<typeof genEs6.types.Item>>
  >();

  wrapThriftClient(es6, {
    target: false, // circuits named <service>/<method>
    connection,
    // @ts-expect-error: not a method of the Catalog client
    methods: { getItems: { timeoutMs: 500 } },
  });
  wrapThriftClient(node, {
    target: false, // circuits named <service>/<method>
    connection,
    // @ts-expect-error: send_* halves are not RPC methods
    methods: { send_getItem: {} },
  });
  wrapThriftClient(node, {
    target: false, // circuits named <service>/<method>
    connection,
    // @ts-expect-error: 'timeouts' is not a failure category
    methods: { ping: { failOn: ['timeouts'] } },
  });
  // js:node clients are declared callback-style (`ping(): string`, `ping(callback?): void`); the
  // wrapper returns a Promise of the callback's result either way.
  const nodeWrapped = wrapThriftClient(node, { connection });
  expectTypeOf(nodeWrapped).toExtend<NodeCatalogClient>();
  expectTypeOf(nodeWrapped.ping()).toEqualTypeOf<Promise<string>>();
  // Per-call options go after the IDL's arguments, before a callback.
  const opts = thriftCallOptions({ timeoutMs: 200 });
  expectTypeOf(nodeWrapped.ping(opts)).toEqualTypeOf<Promise<string>>();
  expectTypeOf(nodeWrapped.delayedEcho('a', 1, opts)).toEqualTypeOf<Promise<string>>();
  expectTypeOf(nodeWrapped.listItems(3, opts, (_error, items) => items.length)).toEqualTypeOf(
    nodeWrapped.listItems(3),
  );
  expectTypeOf(wrapped.getItem('a', opts)).toEqualTypeOf<
    Promise<InstanceType<typeof genEs6.types.Item>>
  >();
  // @ts-expect-error: a plain object is not call options (it would be sent as an argument)
  void wrapped.getItem('a', { timeoutMs: 200 });
  expectTypeOf(nodeWrapped.recordView('a')).toEqualTypeOf<Promise<void>>();
  expectTypeOf(nodeWrapped.delayedEcho('a', 1)).toEqualTypeOf<Promise<string>>();
  expectTypeOf(nodeWrapped.listItems(3, (_error, items) => items.length)).toEqualTypeOf<
    Promise<InstanceType<typeof genEs6.types.Item>[]>
  >();
  void nodeWrapped.ping().catch(() => 'down');
  // @ts-expect-error: the callback's parameters are still checked
  void nodeWrapped.getItem('a', (_error: unknown, item: number) => item);
  // @ts-expect-error: and so are the arguments
  void nodeWrapped.getItem(1);
}

describe('wrapThriftClient types', () => {
  it('types methods keys as the RPC method names of the client, inherited ones included', () => {
    expectTypeOf<RpcMethodOf<Es6CatalogClient>>().toEqualTypeOf<CatalogMethods>();
    expectTypeOf<RpcMethodOf<NodeCatalogClient>>().toEqualTypeOf<CatalogMethods>();
    expectTypeOf<RpcMethodOf<Es6CatalogV2Client>>().toEqualTypeOf<
      CatalogMethods | 'getItemCount'
    >();
    expectTypeOf<keyof ThriftMethodPolicies<Es6CatalogClient>>().toEqualTypeOf<
      CatalogMethods | '*'
    >();
    expectTypeOf(typeChecks).toBeFunction();
  });
});
