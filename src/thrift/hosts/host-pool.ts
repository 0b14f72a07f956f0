/**
 * The hosts of one multi-host client: round robin over the healthy ones, each with a circuit of
 * its own, and the attempt that goes to a host (with one failover for idempotent methods).
 *
 * Picking: the host after the last one picked that is connected and not ejected; then one that
 * is merely not ejected (a call to a host that is down fails at once and counts against it);
 * then, when every host is ejected or excluded, any other. A host's circuit gives a permit for
 * each call; a host whose circuit is half-open takes only as many calls as it has probes. A
 * host whose circuit is open but which the ejection cap keeps in rotation gets its share of
 * calls uncounted. Ejection and re-admission follow the circuits through the shared endpoint
 * book (src/registry/endpoint-book.ts): no timers.
 */
import type { Permit } from '../../core/types.js';
import type { CircuitRegistry } from '../../registry/circuit-registry.js';
import { EndpointBook } from '../../registry/endpoint-book.js';
import {
  thriftFailureCategory,
  type ThriftFailure,
  type ThriftFailureCategory,
} from '../../classify/thrift-errors.js';
import { ThriftTransportError } from '../../classify/thrift-call-errors.js';
import { startAttempt, type AttemptHandle, type AttemptOwner } from '../attempt.js';
import type { MethodRuntime } from '../method-runtime.js';
import type { HostAddress } from './host-address.js';
import { HostLink, type LinkContext } from './host-link.js';

/** A host as `hosts()` reports it. */
export interface HostStatus {
  /** `host:port`, or the HTTP URL. */
  target: string;
  /** Its circuit's name in the registry. */
  circuit: string;
  state: string;
  connected: boolean;
  ejected: boolean;
  inFlight: number;
}

/** Pick passes: connected hosts first, then any host not ejected. */
const PASSES = [true, false] as const;

export class HostPool {
  private links: HostLink[] = [];
  private readonly byKey = new Map<string, HostLink>();
  private readonly book: EndpointBook;
  private next = 0;
  private closed = false;

  constructor(
    private readonly ctx: LinkContext,
    private readonly registry: CircuitRegistry,
    private readonly service: string,
    hosts: readonly HostAddress[],
  ) {
    this.book = new EndpointBook({
      registry,
      policyFor: () => ctx.options.circuit,
      nameOf: (key) => `${this.targetOf(key)}/${service}`,
      maxEjectionPercent: ctx.options.maxEjectionPercent,
      readmitWhenClosed: false,
    });
    this.setHosts(hosts);
  }

  /** Replaces the host list; removed hosts finish their calls in flight, then close. */
  setHosts(hosts: readonly HostAddress[]): void {
    if (this.closed) throw new Error('setHosts after close(): the client is closed');
    const keep = new Set(hosts.map((h) => h.key));
    for (const [key, link] of this.byKey) {
      if (keep.has(key)) continue;
      this.byKey.delete(key);
      link.retire();
    }
    for (const h of hosts)
      if (!this.byKey.has(h.key)) this.byKey.set(h.key, new HostLink(h, this.ctx));
    this.links = hosts.map((h) => this.byKey.get(h.key)!);
    this.book.retain(keep);
    for (const link of this.links) this.book.entry(link.address.key).targets.add(link);
  }

  private targetOf(key: string): string {
    const link = this.byKey.get(key);
    return link ? link.target : key;
  }

  hosts(): HostStatus[] {
    return this.links.map((l) => {
      const circuit = this.book.entry(l.address.key).circuit;
      return {
        target: l.target,
        circuit: circuit.name,
        state: circuit.state,
        connected: l.up,
        ejected: l.ejected,
        inFlight: l.inFlight,
      };
    });
  }

  /** Starts one attempt of a call on a host (see `HostAttempt`). */
  start(rt: MethodRuntime, args: readonly unknown[], timeoutMs: number, owner: AttemptOwner) {
    if (this.closed) {
      owner.attemptEnded(false, new ThriftTransportError(rt.rpc.name, 'closed'), true);
      return undefined;
    }
    return new HostAttempt(this, rt, args, performance.now() + timeoutMs, owner).send(undefined);
  }

  /** Closes every host; later calls are refused. */
  close(): void {
    this.closed = true;
    for (const link of this.byKey.values()) link.close();
    this.byKey.clear();
    this.links = [];
    this.book.close();
  }

  get size(): number {
    return this.links.length;
  }

  /** The next host to call, other than `exclude`, with a permit of its circuit if it gave one. */
  pick(exclude: HostLink | undefined): { link: HostLink; permit: Permit | undefined } | undefined {
    this.book.readmitDue(this.registry.clock.now());
    const n = this.links.length;
    for (const connectedOnly of PASSES) {
      for (let i = 0; i < n; i++) {
        const link = this.links[(this.next + i) % n]!;
        if (link === exclude || link.ejected || (connectedOnly && !link.up)) continue;
        const circuit = this.book.entry(link.address.key).circuit;
        const permit = circuit.tryAcquire();
        // Half-open with its probes taken (or a full bulkhead): not this host, this time.
        if (!permit && circuit.state !== 'open' && circuit.state !== 'forced-open') continue;
        this.next = (this.next + i + 1) % n;
        return { link, permit };
      }
    }
    const others = this.links.filter((l) => l !== exclude);
    if (others.length === 0) return undefined;
    return { link: others[this.next++ % others.length]!, permit: undefined };
  }

  /** Whether `error` counts against a host. */
  hostFailure(error: unknown, category: ThriftFailureCategory): boolean {
    return this.ctx.options.failOn.some((f: ThriftFailure) =>
      typeof f === 'string' ? f === category : error instanceof f,
    );
  }

  get failoverAfterMs(): number | undefined {
    return this.ctx.options.failoverAfterMs;
  }
}

/**
 * One attempt of a call as the caller's `ThriftCall` sees it, made of one or two host calls: an
 * idempotent method whose first host fails at the transport level, or does not answer within
 * `failoverAfterMs` (default half the remaining deadline), is sent once to another host.
 */
class HostAttempt implements AttemptOwner, AttemptHandle {
  private link: HostLink | undefined;
  private permit: Permit | undefined;
  private current: AttemptHandle | undefined;
  private mayFailOver: boolean;

  constructor(
    private readonly pool: HostPool,
    private readonly rt: MethodRuntime,
    private readonly args: readonly unknown[],
    private readonly deadline: number,
    private readonly owner: AttemptOwner,
  ) {
    this.mayFailOver = rt.policy.idempotent === true && !rt.rpc.oneway && pool.size > 1;
  }

  send(exclude: HostLink | undefined): AttemptHandle | undefined {
    const choice = this.pool.pick(exclude);
    if (!choice) {
      this.owner.attemptEnded(false, new ThriftTransportError(this.rt.rpc.name, 'down'), false);
      return undefined;
    }
    this.link = choice.link;
    this.permit = choice.permit;
    this.link.inFlight++;
    const remaining = Math.max(1, this.deadline - performance.now());
    const ms = this.mayFailOver
      ? Math.min(remaining, this.pool.failoverAfterMs ?? remaining / 2)
      : remaining;
    this.current = startAttempt(this.link.env, this.rt.rpc, this.args, Math.ceil(ms), this);
    return this;
  }

  attemptEnded(ok: boolean, valueOrError: unknown, local: boolean): void {
    this.current = undefined;
    const link = this.link!;
    link.callEnded();
    // The category is read once: it decides the host's verdict and whether to fail over.
    const category = ok || local ? undefined : thriftFailureCategory(valueOrError);
    const failed = category !== undefined && this.pool.hostFailure(valueOrError, category);
    this.permit?.record(local ? 'ignore' : failed ? 'failure' : 'success');
    this.permit = undefined;
    if (
      this.mayFailOver &&
      (category === 'transport' || category === 'timeout') &&
      this.deadline - performance.now() >= 1
    ) {
      this.mayFailOver = false;
      this.send(link);
      return;
    }
    this.owner.attemptEnded(ok, valueOrError, local);
  }

  cancel(reason: unknown): void {
    this.mayFailOver = false;
    this.current?.cancel(reason);
  }
}
