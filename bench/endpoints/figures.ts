/**
 * The shape of `bench/endpoints/results.json`, shared by the gRPC half (run.ts) and the Thrift
 * half (thrift.ts): phase names, figure names and their meaning. Times are milliseconds measured
 * from the start of the phase; a figure that does not apply to a phase or contender is `null`.
 */

/** The phases one sick backend goes through, in order (the other backends stay healthy). */
export const ENDPOINT_PHASES = [
  'errors',
  'half-errors',
  'hung',
  'black-hole',
  'slow',
  'recovered',
] as const;

/** One of `ENDPOINT_PHASES`. */
export type EndpointPhase = (typeof ENDPOINT_PHASES)[number];

/** The figures of one contender in one phase. */
export interface Figures {
  /** Time from the phase start until the sick backend stopped receiving new calls; null if never. */
  ejectAfterMs: number | null;
  /** Share (0..1) of calls failed among those started after ejection (or in the whole phase if never ejected). */
  failedShareAfterEject: number | null;
  /** Share (0..1) of calls sent to the sick backend among those started after ejection. */
  sickShareAfterEject: number | null;
  /** 99th percentile latency of every call of the phase, ms. */
  p99Ms: number | null;
  /** 99th percentile latency of the calls answered by the healthy backends in the phase, ms. */
  healthyP99Ms: number | null;
  /** How many healthy backends were ejected at any time during the phase. */
  healthyEjected: number | null;
  /** Whether a per-method circuit opened during the phase. */
  methodCircuitOpened: boolean | null;
  /** `recovered` only: time from the phase start until the backend received calls again. */
  backInRotationMs: number | null;
}

/** The figures of one contender, per phase. */
export interface ContenderResult {
  phases: Partial<Record<EndpointPhase, Figures>>;
}

/** One half of results.json (`grpc` or `thrift`). */
export interface SideResult {
  contenders: Record<string, ContenderResult>;
}

/** The whole of results.json. */
export interface EndpointsResults {
  grpc: SideResult;
  thrift?: SideResult;
}

/** Figures with every value null (a phase a contender did not run). */
export function emptyFigures(): Figures {
  return {
    ejectAfterMs: null,
    failedShareAfterEject: null,
    sickShareAfterEject: null,
    p99Ms: null,
    healthyP99Ms: null,
    healthyEjected: null,
    methodCircuitOpened: null,
    backInRotationMs: null,
  };
}
