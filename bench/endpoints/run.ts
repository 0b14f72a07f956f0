/**
 * `npm run bench:endpoints` (issue 13): one sick backend of four, per-endpoint ejection against
 * its peers.
 *
 * Four backends, each its own process (backend.ts), serve gRPC Echo and Thrift Catalog. The
 * second one goes through the phases errors (UNAVAILABLE), half-errors, hung, black-hole
 * (SIGSTOP: TCP accepted, never answered), slow (p50 × 20) and recovered, while each contender
 * sends a steady 200 calls/s with a 1 s deadline (each phase on a fresh client; see
 * phase-runner.ts). gRPC contenders: grpc-contenders.ts; Thrift: thrift-contenders.ts. Figures
 * (figures.ts, computed in phase-figures.ts) go to bench/endpoints/results.json, the timeline to
 * bench/endpoints/timeline.svg; the table and the targets are printed.
 * About 2.5 minutes; every loop is bounded (`RATE × duration` calls per phase, deadlines), and
 * the whole run stops itself after 4 minutes. `run.ts grpc` or `run.ts thrift` runs one side and
 * writes nothing.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { HEALTHY_MS, SICK, SLOW_MS, startBackends, stopBackends } from './backends.js';
import type { EndpointsResults } from './figures.js';
import {
  ENDPOINT_CIRCUIT,
  ENDPOINT_OPEN_MS,
  GRPC_CONTENDERS,
  grpcContender,
  OUTLIER_DETECTION,
} from './grpc-contenders.js';
import { DEADLINE_MS, RATE } from './load.js';
import { GAP_SENDS } from './phase-figures.js';
import { LEAD_IN_MS, PHASE_MS, PRE_MS } from './phase-runner.js';
import { checkTargets, markdownTable, printTargets } from './report.js';
import { runSide } from './side.js';
import { runThrift } from './thrift.js';
import { timelineSvg } from './timeline-svg.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

export async function main(only?: 'grpc' | 'thrift') {
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  const backends = await startBackends();
  try {
    const grpc =
      only === 'thrift'
        ? undefined
        : await runSide('gRPC', GRPC_CONTENDERS, backends, async (name) =>
            grpcContender(name, backends),
          );
    const thrift = only === 'grpc' ? undefined : await runThrift(backends);
    const checks = [
      ...(grpc ? checkTargets('gRPC', grpc, 'rpc-breaker-endpoints', ENDPOINT_OPEN_MS) : []),
      ...(thrift ? checkTargets('Thrift', thrift, 'rpc-breaker-hosts', ENDPOINT_OPEN_MS) : []),
    ];
    if (grpc) console.log(`\n## gRPC\n\n${markdownTable(grpc.results)}`);
    if (thrift) console.log(`\n## Thrift\n\n${markdownTable(thrift.results)}`);
    for (const n of thrift?.unavailable ?? [])
      console.log(`\nThrift ${n}: not available (${thrift!.reasons[n]})`);
    printTargets(checks);
    const load = `1-min load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end, ${cpus().length} cores`;
    console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s; ${load}`);
    if (!grpc || !thrift) return;
    const results: EndpointsResults & Record<string, unknown> = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      machine: load,
      setup: {
        backends: backends.length,
        sick: backends[SICK]!.id,
        ratePerSecond: RATE,
        deadlineMs: DEADLINE_MS,
        healthyMs: HEALTHY_MS,
        slowMs: SLOW_MS,
        preMs: PRE_MS,
        phaseMs: PHASE_MS,
        recoveredLeadInMs: LEAD_IN_MS,
        ejectionGapSends: GAP_SENDS,
        endpointCircuit: ENDPOINT_CIRCUIT,
        outlierDetection: OUTLIER_DETECTION,
      },
      grpc: grpc.results,
      thrift: thrift.results,
      notAvailable: { ...grpc.reasons, ...thrift.reasons },
      targets: checks,
    };
    writeFileSync(here('./results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const lanes = [
      ...GRPC_CONTENDERS.map((n) => ({ label: `gRPC ${n}`, logs: grpc.logs[n]! })),
      ...Object.keys(thrift.logs).map((n) => ({ label: `Thrift ${n}`, logs: thrift.logs[n]! })),
    ];
    writeFileSync(here('./timeline.svg'), `${timelineSvg(lanes, backends[SICK]!.id)}\n`);
    console.log('wrote bench/endpoints/results.json and bench/endpoints/timeline.svg');
  } finally {
    stopBackends(backends);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const timer = setTimeout(() => {
    console.error('bench:endpoints: over the 4-minute bound, stopping');
    process.exit(1);
  }, 240_000);
  timer.unref();
  const arg = process.argv[2];
  await main(arg === 'grpc' || arg === 'thrift' ? arg : undefined);
  process.exit(0);
}
