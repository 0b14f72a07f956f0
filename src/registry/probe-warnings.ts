/**
 * Warnings about circuits that cannot recover on their own, raised once per circuit and kind.
 *
 * A half-open health check that can never pass (e.g. a gRPC server without the
 * `grpc.health.v1` service answers UNIMPLEMENTED) keeps its circuit half-open for ever, silently.
 * A probe marks such an error with `rpcBreakerWarning: { code, message }`; the registry reports
 * it through `onWarning` listeners — or, when nobody listens, as a process warning — once per
 * circuit and code, so a probe that fails every few seconds does not flood the logs.
 */
import type { ListenerSet } from './listener-set.js';
import type { WarningEvent } from './registry-events.js';

/** What a probe attaches to an error it rejects with, to have the registry warn. */
export interface ProbeWarning {
  /** Stable code, e.g. `HEALTH_CHECK_UNIMPLEMENTED`. */
  readonly code: string;
  readonly message: string;
}

/** Marks `error` with a warning for the registry (see the file comment); returns it. */
export function withProbeWarning<E extends object>(error: E, warning: ProbeWarning): E {
  return Object.assign(error, { rpcBreakerWarning: warning });
}

/** The warning a probe attached to `error`, if any. */
function warningOf(error: unknown): ProbeWarning | undefined {
  const w = (error as { rpcBreakerWarning?: unknown } | null)?.rpcBreakerWarning as
    Partial<ProbeWarning> | undefined;
  return typeof w?.code === 'string' && typeof w.message === 'string'
    ? { code: w.code, message: w.message }
    : undefined;
}

/** Remembers which circuit was warned about what; bounded by `max` entries. */
export class ProbeWarnings {
  private readonly seen = new Set<string>();

  constructor(
    private readonly listeners: ListenerSet<WarningEvent>,
    private readonly max: number,
  ) {}

  /** A probe of circuit `name` rejected with `error`: warn if it carries a warning not yet given. */
  probeFailed(name: string, error: unknown): void {
    const w = warningOf(error);
    if (!w) return;
    const key = `${w.code}\0${name}`;
    if (this.seen.has(key)) return;
    if (this.seen.size >= this.max) this.seen.clear();
    this.seen.add(key);
    const event: WarningEvent = { name, code: w.code, message: w.message };
    if (this.listeners.active) this.listeners.emit(event);
    else
      process.emitWarning(`rpc-breaker: circuit "${name}": ${w.message}`, {
        type: 'RpcBreakerWarning',
        code: w.code,
      });
  }
}
