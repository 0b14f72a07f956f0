/**
 * One resilience scenario: a sick server in its own process driven through the failure phases
 * while every contender sends it the same bounded load at once; returns the figures per contender
 * and phase. Shared by the gRPC and the Thrift scenario (run.ts).
 *
 * The server process speaks IPC: it sends `{ ready, ports }` once listening, answers
 * `{ mode }`, `{ down }`, `{ up }` with `{ ok }` and `{ report }` with `{ arrivals }`, where an
 * arrival is `[contender, atMs, 'read' | 'write']`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  phaseFigures,
  recoveryMs,
  type CallRecord,
  type PhaseFigures,
  type PhaseWindow,
} from './report.js';

export const PHASE_NAMES = [
  'healthy',
  'errors',
  'half-errors',
  'hung',
  'stopped',
  'down',
  'recovered',
] as const;

export interface ScenarioOptions {
  label: string;
  /** `grpc` or `thrift`: which contender factories client-main.ts uses. */
  kind: 'grpc' | 'thrift';
  serverScript: string;
  serverArgs: string[];
  contenders: readonly string[];
  phaseMs: Record<(typeof PHASE_NAMES)[number], number>;
  ratePerContender: number;
}

export interface ScenarioResult {
  names: string[];
  calls: CallRecord[];
  windows: PhaseWindow[];
  openSamples: Record<string, Array<[number, boolean]>>;
  results: Record<string, { phases: Record<string, PhaseFigures>; recoveryMs: number | null }>;
}

function ask(child: ChildProcess, message: object): Promise<any> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

async function enterPhase(server: ChildProcess, name: string): Promise<void> {
  switch (name) {
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
      return;
    default:
      await ask(server, { mode: name });
  }
}

interface ClientReport {
  calls: CallRecord[];
  opens: Array<[number, 'read' | 'write']>;
  openAtStart: boolean[];
  sentAt: number[];
  openSamples: Array<[number, boolean]>;
}

const clientScript = fileURLToPath(new URL('./client-main.ts', import.meta.url));

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const server = fork(o.serverScript, o.serverArgs, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const clients: ChildProcess[] = [];
  const killAll = () => {
    for (const c of clients) if (c.exitCode === null) c.kill('SIGKILL');
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGCONT');
      server.kill('SIGKILL');
    }
  };
  process.once('exit', killAll);
  try {
    const ready = await new Promise<{ ports: Record<string, number> }>((resolve) =>
      server.once('message', resolve),
    );
    for (const name of o.contenders) {
      const c = fork(clientScript, [o.kind, name, JSON.stringify(ready.ports)], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      await new Promise((r) => c.once('message', r));
      clients.push(c);
    }
    const names = [...o.contenders];
    const windows: PhaseWindow[] = [];
    console.log(
      `${o.label}: ${names.length} contenders × ${o.ratePerContender} calls/s, one process each`,
    );
    for (let p = 0; p < PHASE_NAMES.length; p++) {
      const name = PHASE_NAMES[p]!;
      // Every failure phase starts with closed circuits, so each one measures a fresh trip;
      // `recovered` keeps what `down` left, so it measures recovery.
      if (name !== 'recovered') await Promise.all(clients.map((c) => ask(c, { reset: true })));
      await enterPhase(server, name);
      const startMs = Date.now();
      const done = await Promise.all(
        clients.map((c) => ask(c, { phase: p, ms: o.phaseMs[name], rate: o.ratePerContender })),
      );
      windows.push({ name, startMs, endMs: Date.now() });
      console.log(
        `  ${name.padEnd(12)} done (${done.reduce((n, d) => n + d.inFlight, 0)} calls in flight)`,
      );
    }
    const reports = (await Promise.all(
      clients.map((c) => ask(c, { report: true })),
    )) as ClientReport[];
    const { arrivals } = (await ask(server, { report: true })) as {
      arrivals: Array<[string, number, 'read' | 'write']>;
    };
    const calls = reports.flatMap((r) => r.calls);
    const openSamples = Object.fromEntries(names.map((n, i) => [n, reports[i]!.openSamples]));

    const results: ScenarioResult['results'] = {};
    names.forEach((cname, i) => {
      const r = reports[i]!;
      const phases: Record<string, PhaseFigures> = {};
      windows.forEach((w, p) => {
        const mine = r.calls.filter((c) => c.phase === p);
        const reached = arrivals
          .filter(([n, t]) => n === cname && t >= w.startMs && t < w.endMs)
          .map(([, t, k]): [number, 'read' | 'write'] => [t, k]);
        // Circuits are per method: a call counts as "after the trip" once its own method's
        // circuit has opened in this phase; the phase's trip time is the first of them.
        const tripOf = (kind: 'read' | 'write') => {
          if (r.openAtStart[p]) return w.startMs;
          return r.opens.find(([t, k]) => k === kind && t >= w.startMs && t < w.endMs)?.[0] ?? null;
        };
        const sent = r.sentAt[p + 1]! - r.sentAt[p]!;
        phases[w.name] = phaseFigures(
          mine,
          reached,
          sent,
          { read: tripOf('read'), write: tripOf('write') },
          w.startMs,
        );
      });
      const rec = windows[windows.length - 1]!;
      results[cname] = { phases, recoveryMs: recoveryMs(r.calls, rec.startMs) };
    });
    return { names, calls, windows, openSamples, results };
  } finally {
    killAll();
    process.removeListener('exit', killAll);
  }
}
