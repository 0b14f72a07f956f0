/**
 * The `rpc_breaker` load-balancing policy: grpc-js classes built from the user's own copy of
 * @grpc/grpc-js (the package never imports it as a value), wrapping a child policy.
 *
 * - Config: `{ rpc_breaker: { child_policy: [{ round_robin: {} }], max_ejection_percent?: 50,
 *   scope?: 'catalog' } }` (snake_case like grpc's own policies). `child_policy` is a list; the
 *   first entry grpc-js knows is used. `scope` names the endpoint circuits
 *   `endpoint:<scope>/<address>` instead of `endpoint:<address>`.
 * - Subchannels the child creates are wrapped; ejecting an endpoint marks its wrappers unhealthy,
 *   so a health-aware child (round_robin, weighted_round_robin) builds pickers without it.
 */
import type * as Grpc from '@grpc/grpc-js';
import type { experimental } from '@grpc/grpc-js';
import { createGrpcOutcomeClassifier } from '../../classify/grpc-outcome.js';
import { EndpointBook, type EndpointEntry } from '../../registry/endpoint-book.js';
import { readPercent, type ValidatedEndpointOptions } from './endpoint-options.js';
import { EndpointPicker, type PickerContext, type WrappedSubchannel } from './endpoint-picker.js';
import { endpointProbePolicy } from './endpoint-probe.js';

type GrpcModule = typeof Grpc;
type Subchannel = experimental.SubchannelInterface;

/** The parsed `rpc_breaker` config of one channel. */
export interface EndpointBreakerConfig extends experimental.TypedLoadBalancingConfig {
  readonly child: experimental.TypedLoadBalancingConfig;
  readonly maxEjectionPercent: number;
  readonly scope: string | undefined;
}

const CONFIG_KEYS = new Set(['child_policy', 'max_ejection_percent', 'scope']);

/**
 * Registers the policy classes with `grpc` under `o.name`.
 * @returns the name to use in `loadBalancingConfig`
 */
export function registerEndpointPolicy(grpc: GrpcModule, o: ValidatedEndpointOptions): string {
  const x = grpc.experimental;
  const complete = x.PickResultType.COMPLETE as number;
  const classifier = createGrpcOutcomeClassifier({ failOn: o.failOn, ignore: o.ignore });
  const judge = classifier.tableOutcome;
  const name = o.name;

  class Config implements EndpointBreakerConfig {
    constructor(
      readonly child: experimental.TypedLoadBalancingConfig,
      readonly maxEjectionPercent: number,
      readonly scope: string | undefined,
      private readonly raw: object,
    ) {}
    getLoadBalancerName(): string {
      return name;
    }
    toJsonObject(): object {
      return { [name]: this.raw };
    }
    static createFromJson(obj: unknown): Config {
      const c = (obj ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(c))
        if (!CONFIG_KEYS.has(k)) throw new Error(`${name}: unknown key ${JSON.stringify(k)}`);
      const list = c.child_policy ?? [{ round_robin: {} }];
      if (!Array.isArray(list)) throw new Error(`${name}: child_policy must be a list`);
      const child = x.selectLbConfigFromList(list as never[]);
      if (!child) throw new Error(`${name}: child_policy: no valid recognized policy found`);
      const pct = readPercent(
        c.max_ejection_percent ?? o.maxEjectionPercent,
        'max_ejection_percent',
      );
      if (c.scope !== undefined && (typeof c.scope !== 'string' || c.scope === ''))
        throw new Error(`${name}: scope must be a non-empty string`);
      return new Config(child, pct, c.scope as string | undefined, c);
    }
  }

  class Wrapper extends x.BaseSubchannelWrapper implements WrappedSubchannel {
    constructor(
      readonly inner: Subchannel,
      readonly entry: EndpointEntry,
    ) {
      super(inner);
      entry.targets.add(this);
      if (entry.ejected) this.setHealthy(false);
    }
    setEjected(ejected: boolean): void {
      this.setHealthy(!ejected);
    }
    protected override destroy(): void {
      this.entry.targets.delete(this);
      super.destroy();
    }
  }
  const isWrapper = (s: Subchannel | null): s is Wrapper => s instanceof Wrapper;

  class Balancer implements experimental.LoadBalancer {
    private readonly child: experimental.ChildLoadBalancerHandler;
    private book: EndpointBook | undefined;
    private config: Config | undefined;
    private ctx: PickerContext | undefined;

    constructor(private readonly helper: experimental.ChannelControlHelper) {
      this.child = new x.ChildLoadBalancerHandler(
        x.createChildChannelControlHelper(helper, {
          createSubchannel: (address, args) => {
            const inner = helper.createSubchannel(address, args);
            if (!this.book) return inner;
            return new Wrapper(inner, this.book.entry(x.subchannelAddressToString(address)));
          },
          updateState: (state, picker, error) => {
            const p = this.ctx ? new EndpointPicker(picker, this.ctx) : picker;
            helper.updateState(state, p, error);
          },
        }),
      );
    }

    updateAddressList(
      endpoints: experimental.StatusOr<experimental.Endpoint[]>,
      config: experimental.TypedLoadBalancingConfig,
      options: Grpc.ChannelOptions,
      note: string,
    ): boolean {
      if (!(config instanceof Config)) return false;
      const book = this.bookFor(config);
      if (endpoints.ok) {
        const addresses = new Set<string>();
        for (const e of endpoints.value)
          for (const a of e.addresses) addresses.add(x.subchannelAddressToString(a));
        book.retain(addresses);
        this.ctx = { ...this.ctx!, tries: Math.max(1, Math.min(addresses.size, 16)) };
      }
      return this.child.updateAddressList(endpoints, config.child, options, note);
    }

    /** The book of `config`'s scope and cap; a new scope starts a new book. */
    private bookFor(config: Config): EndpointBook {
      const prev = this.config;
      this.config = config;
      if (this.book && prev?.scope === config.scope) {
        this.book.setMaxEjectionPercent(config.maxEjectionPercent);
        return this.book;
      }
      this.book?.close();
      const prefix = config.scope === undefined ? 'endpoint:' : `endpoint:${config.scope}/`;
      const book = new EndpointBook({
        registry: o.registry,
        nameOf: (address) => prefix + address,
        policyFor: (entry) => endpointProbePolicy(grpc, o, entry),
        maxEjectionPercent: config.maxEjectionPercent,
        readmitWhenClosed: o.healthCheck !== undefined,
      });
      this.book = book;
      this.ctx = { book, clock: o.registry.clock, judge, complete, tries: 1, isWrapper };
      return book;
    }

    exitIdle(): void {
      this.child.exitIdle();
    }
    resetBackoff(): void {
      this.child.resetBackoff();
    }
    destroy(): void {
      this.child.destroy();
      this.book?.close();
    }
    getTypeName(): string {
      return name;
    }
  }

  x.registerLoadBalancerType(name, Balancer, Config);
  return name;
}
