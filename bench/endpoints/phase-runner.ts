/**
 * Runs one phase for one contender, on a fresh client, so every phase starts with nothing
 * ejected and every circuit closed:
 *
 *   warm-up (sequential calls, every backend must answer) → `PRE_MS` of steady load, all healthy
 *   → [recovered only: `LEAD_IN_MS` with the sick backend failing every call]
 *   → t0: the sick backend's fault starts (recovered: it heals) → `PHASE_MS` more load
 *   → every call ends (deadline-bounded) → the fault is lifted → the client is closed.
 *
 * The load runs without a break across these steps; the phase's figures are taken over calls
 * started in [t0, t0 + PHASE_MS). The fault stays on until every call of the phase has ended, so
 * no call's outcome changes by the fault being lifted (a stopped process answering late).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EndpointPhase } from './figures.js';
import { blackHole, setMode, SICK, type Backend, type BackendMode } from './backends.js';
import {
  steadyLoad,
  warmUp,
  type CallRecord,
  type CircuitEvent,
  type ContenderClient,
  type SendRecord,
} from './load.js';

/** Healthy load before the fault, ms. */
export const PRE_MS = 500;
/** Length of each phase, ms. */
export const PHASE_MS = 3_000;
/** `recovered`: how long the sick backend fails every call before it heals, ms. */
export const LEAD_IN_MS = 600;

/** What one phase of one contender recorded. */
export interface PhaseLog {
  phase: EndpointPhase;
  /** performance.now() when the fault started (recovered: when the backend healed). */
  t0: number;
  /** Start of the recorded window (t0, or t0 − LEAD_IN_MS for recovered), performance.now(). */
  windowStart: number;
  calls: CallRecord[];
  sends: SendRecord[];
  /** When a method circuit opened during the phase; undefined: the contender has none. */
  methodOpens: number[] | undefined;
  /** Circuit transitions from the fault's start on (diagnostics). */
  events: CircuitEvent[];
  /** When the run ended (every call of the phase had ended). */
  endMs: number;
  /** The client's longest event-loop stall during the run, ms (a stall delays every answer). */
  loopStallMaxMs: number;
}

const FAULT: Record<Exclude<EndpointPhase, 'black-hole' | 'recovered'>, BackendMode> = {
  errors: 'errors',
  'half-errors': 'half-errors',
  hung: 'hung',
  slow: 'slow',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startFault(phase: EndpointPhase, sick: Backend): Promise<void> {
  if (phase === 'black-hole') blackHole(sick, true);
  else if (phase === 'recovered') await setMode(sick, 'ok');
  else await setMode(sick, FAULT[phase]);
}

async function liftFault(phase: EndpointPhase, sick: Backend): Promise<void> {
  if (phase === 'black-hole') blackHole(sick, false);
  await setMode(sick, 'ok');
}

/**
 * Runs `phase` on the client `make()` returns.
 * @throws when the warm-up did not reach every backend (a service config that grpc-js did not
 *   accept falls back to pick_first silently: one backend gets everything)
 */
export async function runPhase(
  phase: EndpointPhase,
  backends: Backend[],
  client: ContenderClient,
): Promise<PhaseLog> {
  const sick = backends[SICK]!;
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  try {
    const seen = await warmUp(client, backends.length * 8);
    if (seen.size !== backends.length)
      throw new Error(`warm-up reached ${[...seen].join(', ') || 'no backend'} only`);
    const lead = phase === 'recovered' ? LEAD_IN_MS : 0;
    stalls.enable();
    const load = steadyLoad(client, PRE_MS + lead + PHASE_MS);
    await sleep(PRE_MS);
    if (lead > 0) {
      await setMode(sick, 'errors');
      await sleep(lead);
    }
    const t0 = performance.now();
    await startFault(phase, sick);
    const records = await load;
    stalls.disable();
    const windowStart = t0 - lead;
    await liftFault(phase, sick);
    const inWindow = (t: number) => t >= windowStart && t < t0 + PHASE_MS;
    return {
      phase,
      t0,
      windowStart,
      calls: records.filter((c) => inWindow(c.startMs)),
      sends: client.sends.filter((s) => inWindow(s.atMs)),
      // Opens while the phase's calls drain do not count: with no new calls started, the last
      // calls to end are the sick backend's, and five of them in a row trip a method circuit.
      methodOpens: client.methodOpens?.filter((t) => t >= t0 && t < t0 + PHASE_MS),
      events: (client.events ?? []).filter((e) => e.atMs >= windowStart),
      endMs: performance.now(),
      loopStallMaxMs: Math.round(stalls.max / 1e6),
    };
  } catch (e) {
    blackHole(sick, false);
    await setMode(sick, 'ok');
    throw e;
  } finally {
    client.close();
  }
}
