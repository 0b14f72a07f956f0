/**
 * The figures of one phase (figures.ts), computed from the calls and the requests sent.
 *
 * Ejection is read from where requests went, the same way for every contender, whatever its
 * mechanism (or none): a backend counts as ejected once `GAP_SENDS` requests in a row went to
 * other backends (with four backends in round robin a backend in rotation gets every fourth; 16
 * in a row is four turns missed). The ejection moment is the start of the last call sent to it
 * before that gap ("the first moment after which it received no new calls"). Calls rejected
 * before reaching any backend (an open method circuit) send nothing, so they neither make nor
 * break a gap. A probe after ejection (a circuit half-open, an ejection period over) counts in
 * `sickShareAfterEject`, not as the end of the ejection.
 */
import { percentile } from '../harness.js';
import { emptyFigures, type Figures } from './figures.js';
import type { PhaseLog } from './phase-runner.js';
import { PHASE_MS } from './phase-runner.js';
import type { SendRecord } from './load.js';

/** Requests in a row to other backends that make a backend ejected. */
export const GAP_SENDS = 16;

/** Figures used by the targets but not part of results.json's `Figures`. */
export interface TargetFigures {
  /** p99 latency of the calls started after ejection (whole phase if never ejected), ms. */
  p99AfterEjectMs: number | null;
  /** Calls started after ejection. */
  callsAfterEject: number;
  /** Ids of the healthy backends that were ejected. */
  healthyEjected: string[];
}

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

/**
 * When `backend` was ejected among `sends` (sorted by time): the time of its last request
 * before the first run of `GAP_SENDS` requests to others, or `from` when that run starts the
 * window; null if it never was.
 */
export function ejectedAt(sends: SendRecord[], backend: string, from: number): number | null {
  let last = from;
  let others = 0;
  for (const s of sends) {
    if (s.backend === backend) {
      last = s.atMs;
      others = 0;
    } else if (++others >= GAP_SENDS) return last;
  }
  return null;
}

/** The figures of `log`; `sick` is the sick backend's id, `healthy` the others'. */
export function phaseFigures(
  log: PhaseLog,
  sick: string,
  healthy: string[],
): { figures: Figures; target: TargetFigures } {
  const { t0, phase } = log;
  const calls = log.calls.filter((c) => c.startMs >= t0).sort((a, b) => a.startMs - b.startMs);
  const sends = log.sends.filter((s) => s.atMs >= t0).sort((a, b) => a.atMs - b.atMs);
  const recovered = phase === 'recovered';
  const ejectAt = recovered ? null : ejectedAt(sends, sick, t0);
  const from = ejectAt ?? -Infinity;
  const after = calls.filter((c) => c.startMs > from);
  const sickAfter = sends.filter((s) => s.atMs > from && s.backend === sick).length;
  const healthyIds = new Set(healthy);
  const healthyLatencies = calls
    .filter((c) => c.ok && healthyIds.has(c.answeredBy))
    .map((c) => c.latencyMs);
  const healthyEjected = healthy.filter((h) => ejectedAt(sends, h, t0) !== null);
  const p99 = (xs: number[]) => (xs.length ? round(percentile(xs, 99)) : null);
  const share = (n: number, of: number) => (of ? round(n / of, 4) : null);
  const firstSick = sends.find((s) => s.backend === sick);
  const figures: Figures = {
    ...emptyFigures(),
    ejectAfterMs: ejectAt === null ? null : Math.round(ejectAt - t0),
    failedShareAfterEject: share(after.filter((c) => !c.ok).length, after.length),
    sickShareAfterEject: share(sickAfter, after.length),
    p99Ms: p99(calls.map((c) => c.latencyMs)),
    healthyP99Ms: p99(healthyLatencies),
    healthyEjected: healthyEjected.length,
    methodCircuitOpened: log.methodOpens === undefined ? null : log.methodOpens.length > 0,
    backInRotationMs: recovered
      ? firstSick && firstSick.atMs < t0 + PHASE_MS
        ? Math.round(firstSick.atMs - t0)
        : null
      : null,
  };
  return {
    figures,
    target: {
      p99AfterEjectMs: p99(after.map((c) => c.latencyMs)),
      callsAfterEject: after.length,
      healthyEjected,
    },
  };
}

/** Per `bucketMs` bucket of `log`'s window: requests sent to `sick`, and calls that failed. */
export function perBucket(
  log: PhaseLog,
  sick: string,
  bucketMs: number,
): { toSick: number[]; failed: number[] } {
  const n = Math.ceil((log.t0 + PHASE_MS - log.windowStart) / bucketMs);
  const toSick = new Array<number>(n).fill(0);
  const failed = new Array<number>(n).fill(0);
  const at = (t: number) => Math.min(n - 1, Math.floor((t - log.windowStart) / bucketMs));
  for (const s of log.sends) if (s.backend === sick) toSick[at(s.atMs)]!++;
  for (const c of log.calls) if (!c.ok) failed[at(c.startMs)]!++;
  return { toSick, failed };
}
