/**
 * The endpoints benchmark's Markdown table and the targets, checked for our contender of
 * each side (`rpc-breaker-endpoints`, `rpc-breaker-hosts`):
 * - an erroring backend ejected within 100 ms, a hung or black-holed one within 300 ms;
 * - after ejection at most 0.5 % of calls fail and the p99 is within 1.2 × the healthy p99;
 * - no healthy backend ejected, the method circuit never opens;
 * - the recovered backend back within `openMs` + one probe (a probe: the next pick, ≤ 100 ms).
 */
import { ENDPOINT_PHASES, type EndpointPhase, type SideResult } from './figures.js';
import { pct, type SideRun } from './side.js';

/** One target: what, the measured value, whether it is met. */
export interface TargetCheck {
  what: string;
  value: string;
  met: boolean;
}

const cell = (v: number | boolean | null, unit = '') =>
  v === null ? '–' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : `${v}${unit}`;

/** The Markdown table of one side. */
export function markdownTable(side: SideResult): string {
  const lines = [
    '| contender | phase | eject after | failed after eject | to sick after eject | p99 | healthy p99 | healthy ejected | method circuit opened | back in rotation |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const [name, c] of Object.entries(side.contenders)) {
    for (const phase of ENDPOINT_PHASES) {
      const f = c.phases[phase];
      if (!f) continue;
      lines.push(
        `| ${name} | ${phase} | ${cell(f.ejectAfterMs, ' ms')} | ${pct(f.failedShareAfterEject)} | ${pct(f.sickShareAfterEject)} | ${cell(f.p99Ms, ' ms')} | ${cell(f.healthyP99Ms, ' ms')} | ${cell(f.healthyEjected)} | ${cell(f.methodCircuitOpened)} | ${cell(f.backInRotationMs, ' ms')} |`,
      );
    }
  }
  return lines.join('\n');
}

const EJECT_WITHIN: Partial<Record<EndpointPhase, number>> = {
  errors: 100,
  hung: 300,
  'black-hole': 300,
};
const FAULTS: EndpointPhase[] = ['errors', 'half-errors', 'hung', 'black-hole', 'slow'];

/** The targets for contender `name` of `run`, with `openMs` its endpoint open time. */
export function checkTargets(
  label: string,
  run: SideRun,
  name: string,
  openMs: number,
): TargetCheck[] {
  if (run.unavailable.includes(name) || !run.results.contenders[name]) return [];
  const phases = run.results.contenders[name]!.phases;
  const out: TargetCheck[] = [];
  const who = `${label} ${name}`;
  for (const phase of FAULTS) {
    const f = phases[phase]!;
    const t = run.targets[name]![phase];
    const within = EJECT_WITHIN[phase];
    if (within !== undefined)
      out.push({
        what: `${who} ${phase}: ejected within ${within} ms`,
        value: `${cell(f.ejectAfterMs, ' ms')}`,
        met: f.ejectAfterMs !== null && f.ejectAfterMs <= within,
      });
    out.push({
      what: `${who} ${phase}: ≤ 0.5 % of calls fail after ejection`,
      value: pct(f.failedShareAfterEject),
      met: f.ejectAfterMs !== null && (f.failedShareAfterEject ?? 1) <= 0.005,
    });
    const p99 = t?.p99AfterEjectMs ?? null;
    out.push({
      what: `${who} ${phase}: p99 after ejection ≤ 1.2 × healthy p99`,
      value: `${cell(p99, ' ms')} vs ${cell(f.healthyP99Ms, ' ms')}`,
      met:
        f.ejectAfterMs !== null &&
        p99 !== null &&
        f.healthyP99Ms !== null &&
        p99 <= 1.2 * f.healthyP99Ms,
    });
  }
  const healthyEjected = ENDPOINT_PHASES.filter((p) => (phases[p]?.healthyEjected ?? 0) > 0);
  out.push({
    what: `${who}: no healthy backend ejected in any phase`,
    value: healthyEjected.length ? `ejected in ${healthyEjected.join(', ')}` : '0',
    met: healthyEjected.length === 0,
  });
  const opened = ENDPOINT_PHASES.filter((p) => phases[p]?.methodCircuitOpened === true);
  out.push({
    what: `${who}: method circuit stays closed`,
    value: opened.length ? `opened in ${opened.join(', ')}` : 'closed',
    met: opened.length === 0,
  });
  const back = phases.recovered?.backInRotationMs ?? null;
  out.push({
    what: `${who} recovered: back in rotation within openMs (${openMs} ms) + one probe`,
    value: cell(back, ' ms'),
    met: back !== null && back <= openMs + 100,
  });
  return out;
}

/** Prints the checks as PASS/MISS lines. */
export function printTargets(checks: TargetCheck[]): void {
  console.log('\nTargets:');
  for (const c of checks) console.log(`  ${c.met ? 'MET ' : 'MISS'}  ${c.what}: ${c.value}`);
}
