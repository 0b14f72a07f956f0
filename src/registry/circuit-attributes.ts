/**
 * What an adapter knows about the calls a circuit guards, as OpenTelemetry RPC semantic-convention
 * attributes (`rpc.system`, `rpc.service`, `rpc.method`, `server.address`, `server.port`), for the
 * OpenTelemetry exporter to add beside the circuit's own attributes.
 *
 * Adapters describe a circuit once, when they build the runtime of a method (so at most once per
 * method, never per call). When several methods share one circuit (gRPC `circuitName`), only the
 * attributes they all agree on are kept: a circuit guarding two methods has no `rpc.method`.
 */

/** Semantic-convention attributes of the calls a circuit guards. */
export interface RpcAttributes {
  /** `grpc` or `apache_thrift`. */
  readonly 'rpc.system': string;
  /** gRPC: the full service name (`pkg.Service`); Thrift: the wrapper's `service`. */
  readonly 'rpc.service'?: string;
  /** The method name (`GetItem`, `getItem`). */
  readonly 'rpc.method'?: string;
  /** Host of the server, when the adapter knows it. */
  readonly 'server.address'?: string;
  /** Port of the server, when the adapter knows it. */
  readonly 'server.port'?: number;
}

const described = new WeakMap<object, Map<string, RpcAttributes>>();

/** Records what `registry`'s circuit `circuit` guards (merged with an earlier description). */
export function describeCircuit(registry: object, circuit: string, attributes: RpcAttributes) {
  let byCircuit = described.get(registry);
  if (!byCircuit) described.set(registry, (byCircuit = new Map()));
  const earlier = byCircuit.get(circuit);
  byCircuit.set(circuit, Object.freeze(earlier ? agreed(earlier, attributes) : { ...attributes }));
}

/** The attributes of circuit `circuit` of `registry`, if an adapter described it. */
export function circuitAttributes(registry: object, circuit: string): RpcAttributes | undefined {
  return described.get(registry)?.get(circuit);
}

/**
 * The gRPC description of method path `/pkg.Service/Method`, with the server when the circuit
 * names a target: `host:port` (after a `dns:` or `ipv4:` scheme) gives `server.address` and
 * `server.port`; any other single name (`catalog`) gives `server.address`; a list of addresses
 * gives neither.
 */
export function grpcAttributes(path: string, target?: string): RpcAttributes {
  const slash = path.lastIndexOf('/');
  return {
    'rpc.system': 'grpc',
    'rpc.service': path.slice(1, slash),
    'rpc.method': path.slice(slash + 1),
    ...serverOf(target),
  };
}

function serverOf(target: string | undefined): Partial<RpcAttributes> {
  if (target === undefined || target.includes(',')) return {};
  const bare = target.replace(/^(dns|ipv4|ipv6):(\/\/[^/]*\/)?/, '');
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(bare);
  if (m) return { 'server.address': m[1]!.replace(/^\[|\]$/g, ''), 'server.port': Number(m[2]) };
  return bare.includes(':') || bare === '' ? {} : { 'server.address': bare };
}

function agreed(a: RpcAttributes, b: RpcAttributes): RpcAttributes {
  const other = new Map<string, unknown>(Object.entries(b));
  const out = Object.entries(a).filter(([k, v]) => other.get(k) === v);
  return Object.fromEntries(out) as unknown as RpcAttributes;
}
