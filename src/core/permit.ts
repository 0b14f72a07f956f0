/** The permit a circuit hands out for one call; it is also the call's in-flight list node. */
import { InFlightNode } from './in-flight.js';
import type { Outcome, Permit } from './types.js';

/** What a permit reports back to; implemented by `CircuitBreaker`. */
export interface PermitOwner {
  /** @internal */
  settle(
    permit: CallPermit,
    outcome: Outcome,
    durationMs: number | undefined,
    errorType?: string,
  ): void;
}

export class CallPermit extends InFlightNode implements Permit {
  /** Set once the outcome has been recorded; later reports are ignored. */
  done = false;

  constructor(
    private readonly owner: PermitOwner,
    startedAt: number,
    /** Circuit generation when the permit was issued. */
    readonly generation: number,
    /** Whether this call is a half-open probe. */
    readonly probe: boolean,
  ) {
    super(startedAt);
  }

  record(outcome: Outcome, durationMs?: number, errorType?: string): void {
    if (this.done) return;
    this.done = true;
    this.owner.settle(this, outcome, durationMs, errorType);
  }
}
