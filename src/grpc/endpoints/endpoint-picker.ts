/**
 * The picker of the per-endpoint breaker: it asks the child policy's picker, skips endpoints
 * that are ejected (or half-open with every probe slot taken), and feeds each call's final
 * status into the chosen endpoint's circuit.
 *
 * A closed endpoint's permit is taken in `onCallStarted`, not in `pick`: grpc-js may drop a
 * pick without starting the call (the subchannel left READY meanwhile, the call was cancelled),
 * and a permit that is never reported would count as a call hung forever. `tryAcquire` then also
 * marks the endpoint's calls hung past `slowCallMs` as slow, so a hung endpoint trips while its
 * calls are still in flight. A half-open endpoint's probe slot is taken at pick time (that is
 * how the number of calls it receives is limited); a probe whose call never starts is released
 * as "ignore" after a second.
 *
 * When every endpoint the child offers is ejected (the child's picker is one update behind, or
 * it ignores health, like a top-level pick_first), the call goes to the endpoint picked first:
 * ejection never fails a call by itself.
 */
import type { experimental, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { Clock } from '../../core/clock.js';
import type { Outcome, Permit } from '../../core/types.js';
import type { EndpointBook, EndpointEntry } from '../../registry/endpoint-book.js';

type Picker = experimental.Picker;
type PickArgs = experimental.PickArgs;
type PickResult = experimental.PickResult;
type Subchannel = experimental.SubchannelInterface;

/** What the picker needs of a subchannel wrapper. */
export interface WrappedSubchannel {
  readonly entry: EndpointEntry;
  /** The subchannel under the wrapper, handed to grpc-js. */
  readonly inner: Subchannel;
}

/** Per-call state the picker shares with all its picks. */
export interface PickerContext {
  readonly book: EndpointBook;
  readonly clock: Clock;
  /** The outcome of a final status code. */
  readonly judge: (code: number) => Outcome;
  /** `PickResultType.COMPLETE` of the user's grpc-js. */
  readonly complete: number;
  /** Picks asked of the child before giving up on finding a usable endpoint. */
  readonly tries: number;
  readonly isWrapper: (s: Subchannel | null) => s is Subchannel & WrappedSubchannel;
}

const STALE_PROBE_MS = 1_000;

export class EndpointPicker implements Picker {
  constructor(
    private readonly child: Picker,
    private readonly ctx: PickerContext,
  ) {}

  pick(args: PickArgs): PickResult {
    const ctx = this.ctx;
    const now = ctx.clock.now();
    ctx.book.readmitDue(now);
    let first: PickResult | undefined;
    for (let i = 0; i < ctx.tries; i++) {
      const r = this.child.pick(args);
      const sc = r.subchannel;
      if (r.pickResultType !== ctx.complete || !ctx.isWrapper(sc)) return r;
      const entry = sc.entry;
      first ??= r;
      if (entry.ejected) continue;
      const state = entry.circuit.state;
      if (state === 'closed' || state === 'disabled') return this.admit(r, sc);
      if (state === 'half-open') {
        const permit = this.probePermit(entry, now);
        if (permit) return this.admit(r, sc, permit);
        continue;
      }
      return this.admit(r, sc); // open but not ejected: over the cap, or every endpoint is sick
    }
    if (!first) return this.child.pick(args);
    return this.admit(first, first.subchannel as Subchannel & WrappedSubchannel);
  }

  private probePermit(entry: EndpointEntry, now: number): Permit | undefined {
    const p = entry.circuit.tryAcquire();
    if (p) {
      entry.pendingProbe = p;
      entry.pendingSince = now;
      return p;
    }
    if (entry.pendingProbe && now - entry.pendingSince >= STALE_PROBE_MS) {
      entry.pendingProbe.record('ignore');
      entry.pendingProbe = undefined;
      return this.probePermit(entry, now);
    }
    return undefined;
  }

  private admit(r: PickResult, sc: Subchannel & WrappedSubchannel, early?: Permit): PickResult {
    const { entry, inner } = sc;
    const judge = this.ctx.judge;
    let permit = early;
    const started = r.onCallStarted;
    const ended = r.onCallEnded;
    return {
      pickResultType: r.pickResultType,
      subchannel: inner,
      status: null,
      onCallStarted: () => {
        if (early) {
          if (entry.pendingProbe === early) entry.pendingProbe = undefined;
        } else permit = entry.circuit.tryAcquire();
        started?.();
      },
      onCallEnded: (code: GrpcStatus, details: string, metadata: Metadata) => {
        permit?.record(judge(code));
        ended?.(code, details, metadata);
      },
    };
  }
}
