/**
 * The resilience benchmark (`npm run bench:resilience`). Two scenarios, each a sick server in its
 * own process driven through healthy → errors → half-errors → hung → stopped (SIGSTOP) → down
 * (port closed) → recovered while the contenders send it the same bounded load at once:
 * - gRPC: bare grpc-js with a deadline, a tenacity-style retry, opossum, cockatiel, rpc-breaker
 *   with its defaults, and rpc-breaker with a read cache, a retry budget and slow-call detection;
 * - Thrift: a bare generated client (with a caller-side deadline) and the wrapped client.
 * Writes results.json (gRPC under `contenders`, Thrift under `thrift.contenders`), results.md and
 * timeline.svg. Bounded (about 1.5 minutes); 127.0.0.1 only.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEADLINE_MS, GRPC_CONTENDERS } from './contenders.js';
import { markdown, timelineSvg } from './report.js';
import { runScenario, type ScenarioResult } from './scenario.js';
import { THRIFT_CONTENDERS } from './thrift-contenders.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const RATE = 50;

export async function main() {
  const grpc = await runScenario({
    label: 'gRPC',
    kind: 'grpc',
    serverScript: here('./sick-server.ts'),
    serverArgs: [],
    contenders: Object.keys(GRPC_CONTENDERS),
    phaseMs: {
      healthy: 6_000,
      errors: 6_000,
      'half-errors': 6_000,
      hung: 8_000,
      stopped: 6_000,
      down: 6_000,
      recovered: 14_000,
    },
    ratePerContender: RATE,
  });
  const thrift = await runScenario({
    label: 'Thrift',
    kind: 'thrift',
    serverScript: here('./sick-thrift-server.ts'),
    serverArgs: [...THRIFT_CONTENDERS],
    contenders: THRIFT_CONTENDERS,
    phaseMs: {
      healthy: 4_000,
      errors: 4_000,
      'half-errors': 4_000,
      hung: 5_000,
      stopped: 4_000,
      down: 4_000,
      recovered: 12_000,
    },
    ratePerContender: RATE,
  });
  const header = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    deadlineMs: DEADLINE_MS,
    ratePerContender: RATE,
  };
  writeFileSync(
    here('./results.json'),
    JSON.stringify(
      { ...header, contenders: grpc.results, thrift: { contenders: thrift.results } },
      null,
      2,
    ),
  );
  const md = `## gRPC\n\n${markdown(grpc.results)}\n\n## Thrift\n\n${markdown(thrift.results)}\n`;
  writeFileSync(here('./results.md'), md);
  writeFileSync(
    here('./timeline.svg'),
    timelineSvg(grpc.names, grpc.calls, grpc.windows, grpc.openSamples),
  );
  writeFileSync(
    here('./timeline-thrift.svg'),
    timelineSvg(thrift.names, thrift.calls, thrift.windows, thrift.openSamples),
  );
  console.log('\n' + md);
  const checks = [
    ...targets(grpc, ['rpc-breaker', 'rpc-breaker-cache'], 'gRPC'),
    ...targets(thrift, ['rpc-breaker', 'rpc-breaker-cache'], 'Thrift'),
  ];
  console.log('Targets:');
  for (const t of checks) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.what}: ${t.value}`);
  return { grpc: grpc.results, thrift: thrift.results, checks };
}

function targets(s: ScenarioResult, names: string[], label: string) {
  const out: Array<{ what: string; value: string; pass: boolean }> = [];
  const r = s.results;
  for (const name of names) {
    const hung = r[name]!.phases.hung!;
    const reachedShare = hung.callsAfterTrip ? hung.reachedAfterTrip / hung.callsAfterTrip : 0;
    out.push({
      what: `${label} ${name} hung: p99 after trip ≤ 5 ms`,
      value: `${hung.p99AfterTripMs} ms`,
      pass: hung.p99AfterTripMs <= 5,
    });
    out.push({
      what: `${label} ${name} hung: ≤ 5 % of calls after trip reach the server`,
      value: `${(reachedShare * 100).toFixed(1)} %`,
      pass: reachedShare <= 0.05,
    });
    out.push({
      what: `${label} ${name} hung: trip within 2 × deadline`,
      value: `${hung.tripAfterMs} ms`,
      pass: hung.tripAfterMs !== null && hung.tripAfterMs <= 2 * DEADLINE_MS,
    });
    for (const phase of ['errors', 'down']) {
      const f = r[name]!.phases[phase]!;
      out.push({
        what: `${label} ${name} ${phase}: load amplification ≤ 1.2`,
        value: String(f.amplification),
        pass: f.amplification <= 1.2,
      });
    }
  }
  const cache = r['rpc-breaker-cache']!.phases.hung!;
  out.push({
    what: `${label} rpc-breaker-cache hung: reads answered after trip ≥ 95 %`,
    value: `${(cache.readUsefulShareAfterTrip * 100).toFixed(1)} %`,
    pass: cache.readUsefulShareAfterTrip >= 0.95,
  });
  const rec = r['rpc-breaker']!.recoveryMs;
  out.push({
    what: `${label} rpc-breaker back to normal within openMs (10 s) + one probe`,
    value: `${rec} ms`,
    pass: rec !== null && rec <= 10_000 + DEADLINE_MS,
  });
  const recCache = r['rpc-breaker-cache']!.recoveryMs;
  out.push({
    what: `${label} rpc-breaker-cache back to normal within its max openMs (10 s) + one probe`,
    value: `${recCache} ms`,
    pass: recCache !== null && recCache <= 10_000 + DEADLINE_MS,
  });
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const timer = setTimeout(() => {
    console.error('resilience: over the 3-minute bound, stopping');
    process.exit(1);
  }, 180_000);
  timer.unref();
  await main();
  process.exit(0);
}
