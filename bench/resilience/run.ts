/**
 * The resilience benchmark: a real gRPC server in its own process is driven through failure
 * phases while six clients — bare, naive retry, opossum, cockatiel, rpc-breaker and rpc-breaker
 * with cache + retry budget — send the same bounded load to it at once. Each failure phase starts
 * with every circuit closed; the recovered phase keeps the state the down phase left. Writes results.json,
 * results.md and timeline.svg next to this file. Bounded: about a minute, 127.0.0.1 only.
 * Run: npm run bench:resilience
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createContenders, DEADLINE_MS, type CallResult } from './contenders.js';
import {
  markdown,
  phaseFigures,
  recoveryMs,
  timelineSvg,
  type CallRecord,
  type PhaseWindow,
} from './report.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const RATE_PER_CONTENDER = 50; // calls per second
const TICK_MS = 20;
const READ_SHARE = 0.8;
const PHASES: Array<{ name: string; ms: number }> = [
  { name: 'healthy', ms: 6_000 },
  { name: 'errors', ms: 6_000 },
  { name: 'half-errors', ms: 6_000 },
  { name: 'hung', ms: 8_000 },
  { name: 'stopped', ms: 6_000 },
  { name: 'down', ms: 6_000 },
  { name: 'recovered', ms: 14_000 },
];

function ask(child: ChildProcess, message: object): Promise<any> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

async function enterPhase(server: ChildProcess, name: string): Promise<void> {
  switch (name) {
    case 'healthy':
    case 'errors':
    case 'half-errors':
    case 'hung':
      await ask(server, { mode: name });
      return;
    case 'stopped':
      await ask(server, { mode: 'healthy' });
      server.kill('SIGSTOP');
      return;
    case 'down':
      server.kill('SIGCONT');
      await ask(server, { down: true });
      return;
    case 'recovered':
      await ask(server, { up: true });
      await ask(server, { mode: 'healthy' });
  }
}

export async function main() {
  const server = fork(here('./sick-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killServer = () => {
    if (server.exitCode === null) {
      server.kill('SIGCONT');
      server.kill('SIGKILL');
    }
  };
  process.once('exit', killServer);
  const ready = await new Promise<{ port: number }>((resolve) => server.once('message', resolve));
  const address = `127.0.0.1:${ready.port}`;
  const contenders = createContenders(address);
  const names = contenders.map((c) => c.name);
  const calls: CallRecord[] = [];
  const pending = new Set<Promise<unknown>>();
  const windows: PhaseWindow[] = [];
  const sentAt: Array<Record<string, number>> = [];
  const opens: Record<string, Array<[number, 'read' | 'write']>> = Object.fromEntries(
    names.map((n) => [n, []]),
  );
  const openAtStart: Array<Record<string, boolean>> = [];
  const openSamples: Record<string, Array<[number, boolean]>> = Object.fromEntries(
    names.map((n) => [n, []]),
  );
  for (const c of contenders) c.onOpen = (at, kind) => opens[c.name]!.push([at, kind]);

  console.log(
    `resilience: ${contenders.length} contenders × ${RATE_PER_CONTENDER} calls/s, deadline ${DEADLINE_MS} ms, server ${address}`,
  );
  let seq = 0;
  for (let p = 0; p < PHASES.length; p++) {
    const phase = PHASES[p]!;
    // Every failure phase starts with closed circuits, so each one measures a fresh trip;
    // `recovered` keeps what `down` left, so it measures recovery.
    if (phase.name !== 'recovered') contenders.forEach((c) => c.reset());
    await enterPhase(server, phase.name);
    const startMs = Date.now();
    sentAt.push(Object.fromEntries(contenders.map((c) => [c.name, c.sent()])));
    openAtStart.push(Object.fromEntries(contenders.map((c) => [c.name, c.isOpen()])));
    const perTick = (RATE_PER_CONTENDER * TICK_MS) / 1_000;
    let owed = 0;
    for (let tick = 0; Date.now() - startMs < phase.ms && tick < phase.ms / TICK_MS + 10; tick++) {
      owed += perTick;
      for (; owed >= 1; owed--) {
        const kind: 'read' | 'write' = Math.random() < READ_SHARE ? 'read' : 'write';
        const id = `item-${seq++ % 20}`;
        for (const c of contenders) {
          const t = Date.now();
          const run = (kind === 'read' ? c.read(id) : c.write(id)).then((result: CallResult) => {
            calls.push({
              contender: c.name,
              phase: p,
              startMs: t,
              latencyMs: Date.now() - t,
              kind,
              result,
            });
          });
          pending.add(run);
          void run.finally(() => pending.delete(run));
        }
      }
      for (const c of contenders) openSamples[c.name]!.push([Date.now(), c.isOpen()]);
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    windows.push({ name: phase.name, startMs, endMs: Date.now() });
    console.log(`  ${phase.name.padEnd(12)} done (${pending.size} calls in flight)`);
  }
  sentAt.push(Object.fromEntries(contenders.map((c) => [c.name, c.sent()])));
  await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 5_000))]);
  const { arrivals } = (await ask(server, { report: true })) as {
    arrivals: Array<[string, number, 'read' | 'write']>;
  };
  contenders.forEach((c) => c.close());
  killServer();

  const results: Record<
    string,
    { phases: Record<string, ReturnType<typeof phaseFigures>>; recoveryMs: number | null }
  > = {};
  for (const c of contenders) {
    const phases: Record<string, ReturnType<typeof phaseFigures>> = {};
    windows.forEach((w, p) => {
      const mine = calls.filter((r) => r.contender === c.name && r.phase === p);
      const reached = arrivals
        .filter(([n, t]) => n === c.name && t >= w.startMs && t < w.endMs)
        .map(([, t, k]): [number, 'read' | 'write'] => [t, k]);
      // Circuits are per method: a call counts as "after the trip" once its own method's circuit
      // has opened in this phase; the phase's trip time is the first of them.
      const tripOf = (kind: 'read' | 'write') => {
        if (openAtStart[p]![c.name]) return w.startMs;
        return (
          opens[c.name]!.find(([t, k]) => k === kind && t >= w.startMs && t < w.endMs)?.[0] ?? null
        );
      };
      const trips = { read: tripOf('read'), write: tripOf('write') };
      const f = phaseFigures(
        mine,
        reached,
        sentAt[p + 1]![c.name]! - sentAt[p]![c.name]!,
        trips,
        w.startMs,
      );
      phases[w.name] = f;
    });
    const rec = windows[windows.length - 1]!;
    results[c.name] = {
      phases,
      recoveryMs: recoveryMs(
        calls.filter((r) => r.contender === c.name),
        rec.startMs,
      ),
    };
  }
  const md = markdown(results);
  writeFileSync(
    here('./results.json'),
    JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        node: process.version,
        deadlineMs: DEADLINE_MS,
        ratePerContender: RATE_PER_CONTENDER,
        contenders: results,
      },
      null,
      2,
    ),
  );
  writeFileSync(here('./results.md'), md + '\n');
  writeFileSync(here('./timeline.svg'), timelineSvg(names, calls, windows, openSamples));
  console.log('\n' + md);
  const checks = targets(results);
  console.log('\nTargets (rpc-breaker contenders):');
  for (const t of checks) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.what}: ${t.value}`);
  return { results, checks };
}

function targets(
  results: Record<string, { phases: Record<string, any>; recoveryMs: number | null }>,
) {
  const out: Array<{ what: string; value: string; pass: boolean }> = [];
  for (const name of ['rpc-breaker', 'rpc-breaker-cache']) {
    const hung = results[name]!.phases.hung;
    const reachedShare = hung.callsAfterTrip ? hung.reachedAfterTrip / hung.callsAfterTrip : 0;
    out.push({
      what: `${name} hung: p99 after trip ≤ 5 ms`,
      value: `${hung.p99AfterTripMs} ms`,
      pass: hung.p99AfterTripMs <= 5,
    });
    out.push({
      what: `${name} hung: ≤ 5 % of calls after trip reach the server`,
      value: `${(reachedShare * 100).toFixed(1)} %`,
      pass: reachedShare <= 0.05,
    });
    out.push({
      what: `${name} hung: trip within 2 × deadline`,
      value: `${hung.tripAfterMs} ms`,
      pass: hung.tripAfterMs !== null && hung.tripAfterMs <= 2 * DEADLINE_MS,
    });
    for (const phase of ['errors', 'down']) {
      const f = results[name]!.phases[phase];
      out.push({
        what: `${name} ${phase}: load amplification ≤ 1.2`,
        value: String(f.amplification),
        pass: f.amplification <= 1.2,
      });
    }
  }
  const cache = results['rpc-breaker-cache']!.phases.hung;
  out.push({
    what: 'rpc-breaker-cache hung: reads answered (real or cached) after trip ≥ 95 %',
    value: `${(cache.readUsefulShareAfterTrip * 100).toFixed(1)} %`,
    pass: cache.readUsefulShareAfterTrip >= 0.95,
  });
  const rec = results['rpc-breaker']!.recoveryMs;
  out.push({
    what: 'rpc-breaker back to normal within openMs (10 s) + one probe after recovery',
    value: `${rec} ms`,
    pass: rec !== null && rec <= 10_000 + DEADLINE_MS,
  });
  const recCache = results['rpc-breaker-cache']!.recoveryMs;
  out.push({
    what: 'rpc-breaker-cache back to normal within its max openMs (10 s) + one probe',
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
