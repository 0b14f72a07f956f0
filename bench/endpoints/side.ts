/**
 * One side of the benchmark (gRPC or Thrift): every phase for every contender, phase by phase,
 * the contenders' order rotating from one phase to the next so machine drift falls on everybody.
 * A contender whose factory returns undefined is not available: its figures stay null.
 */
import { ENDPOINT_PHASES, emptyFigures, type SideResult } from './figures.js';
import { SICK, type Backend } from './backends.js';
import type { ContenderClient } from './load.js';
import { phaseFigures, type TargetFigures } from './phase-figures.js';
import { runPhase, type PhaseLog } from './phase-runner.js';

/** A side's results, logs (for the timeline) and the figures the targets need. */
export interface SideRun {
  results: SideResult;
  logs: Record<string, PhaseLog[]>;
  targets: Record<string, Partial<Record<string, TargetFigures>>>;
  unavailable: string[];
  /** Why each unavailable contender is (not exported, or its setup threw). */
  reasons: Record<string, string>;
}

/** Runs `contenders` through every phase; `make` builds a fresh client of one. */
export async function runSide(
  label: string,
  contenders: readonly string[],
  backends: Backend[],
  make: (name: string) => Promise<ContenderClient | undefined>,
): Promise<SideRun> {
  const sick = backends[SICK]!.id;
  const healthy = backends.filter((b) => b.id !== sick).map((b) => b.id);
  const run: SideRun = {
    results: { contenders: {} },
    logs: {},
    targets: {},
    unavailable: [],
    reasons: {},
  };
  for (const name of contenders) {
    run.results.contenders[name] = { phases: {} };
    run.logs[name] = [];
    run.targets[name] = {};
  }
  for (const [pi, phase] of ENDPOINT_PHASES.entries()) {
    for (let ci = 0; ci < contenders.length; ci++) {
      const name = contenders[(ci + pi) % contenders.length]!;
      const phases = run.results.contenders[name]!.phases;
      if (run.unavailable.includes(name)) {
        phases[phase] = emptyFigures();
        continue;
      }
      let client: ContenderClient | undefined;
      let reason = 'not exported by src/index.ts';
      try {
        client = await make(name);
      } catch (e) {
        reason = `setup failed: ${(e as Error).message}`;
      }
      if (!client) {
        console.log(`${label} ${name}: not available, ${reason} (skipped, figures null)`);
        run.unavailable.push(name);
        run.reasons[name] = reason;
        phases[phase] = emptyFigures();
        continue;
      }
      const log = await runPhase(phase, backends, client);
      const { figures, target } = phaseFigures(log, sick, healthy);
      phases[phase] = figures;
      run.logs[name]!.push(log);
      run.targets[name]![phase] = target;
      console.log(
        `${label} ${phase} ${name}: eject ${figures.ejectAfterMs ?? '–'} ms, failed after ` +
          `${pct(figures.failedShareAfterEject)}, to sick after ${pct(figures.sickShareAfterEject)}, ` +
          `p99 ${figures.p99Ms} ms (after eject ${target.p99AfterEjectMs}, healthy ${figures.healthyP99Ms}), ` +
          `healthy ejected ${figures.healthyEjected}, method opened ${figures.methodCircuitOpened}, ` +
          `longest client stall ${log.loopStallMaxMs} ms` +
          (phase === 'recovered' ? `, back in ${figures.backInRotationMs ?? '–'} ms` : ''),
      );
      if (log.events.length)
        console.log(
          `  circuits: ${log.events.map((e) => `${e.what} ${Math.round(e.atMs - log.t0)}`).join(', ')}`,
        );
    }
  }
  // Phases in results.json in phase order, whatever order they ran in.
  for (const c of Object.values(run.results.contenders)) {
    const ordered: typeof c.phases = {};
    for (const p of ENDPOINT_PHASES) ordered[p] = c.phases[p] ?? emptyFigures();
    c.phases = ordered;
  }
  return run;
}

/** A share as a percentage, '–' for null. */
export function pct(v: number | null): string {
  return v === null ? '–' : `${(v * 100).toFixed(1)} %`;
}
