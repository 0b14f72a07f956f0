/**
 * A grpc-js name resolver for the `rbtest:` scheme whose address lists tests change at run time:
 * a channel to `rbtest:<name>` gets the addresses last given to `setAddresses(name, …)`, at
 * once and on every later change, as a DNS or Kubernetes resolver would deliver them.
 */
import * as grpc from '@grpc/grpc-js';

type Listener = grpc.experimental.ResolverListener;
type GrpcUri = grpc.experimental.GrpcUri;

const SCHEME = 'rbtest';
const lists = new Map<string, string[]>();
const live = new Map<string, Set<TestResolver>>();

class TestResolver implements grpc.experimental.Resolver {
  private readonly name: string;

  constructor(
    target: GrpcUri,
    private readonly listener: Listener,
  ) {
    this.name = target.path;
    let set = live.get(this.name);
    if (!set) live.set(this.name, (set = new Set()));
    set.add(this);
  }

  static getDefaultAuthority(target: GrpcUri): string {
    return target.path;
  }

  updateResolution(): void {
    // Never synchronously (the Resolver contract).
    setImmediate(() => this.deliver());
  }

  deliver(): void {
    if (!live.get(this.name)?.has(this)) return;
    const endpoints = (lists.get(this.name) ?? []).map((a) => {
      const i = a.lastIndexOf(':');
      return { addresses: [{ host: a.slice(0, i), port: Number(a.slice(i + 1)) }] };
    });
    this.listener(grpc.experimental.statusOrFromValue(endpoints), {}, null, '');
  }

  destroy(): void {
    live.get(this.name)?.delete(this);
  }
}

let registered = false;

/** Sets the addresses of `rbtest:<name>` and hands them to every live channel resolving it. */
export function setAddresses(name: string, addresses: string[]): void {
  if (!registered) {
    grpc.experimental.registerResolver(SCHEME, TestResolver);
    registered = true;
  }
  lists.set(name, [...addresses]);
  for (const r of live.get(name) ?? []) setImmediate(() => r.deliver());
}

/** The target of a channel resolving `name` through the test resolver. */
export function resolverTarget(name: string): string {
  return `${SCHEME}:${name}`;
}
