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
import type { CallResult, Contender } from './contenders.js';
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
  serverScript: string;
  serverArgs: string[];
  makeContenders: (ports: Record<string, number>) => Contender[];
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

const TICK_MS = 20;
const READ_SHARE = 0.8;

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

export async function runScenario(o: ScenarioOptions): Promise<ScenarioResult> {
  const server = fork(o.serverScript, o.serverArgs, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killServer = () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGCONT');
      server.kill('SIGKILL');
    }
  };
  process.once('exit', killServer);
  try {
    const ready = await new Promise<{ ports: Record<string, number> }>((resolve) =>
      server.once('message', resolve),
    );
    const contenders = o.makeContenders(ready.ports);
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

    console.log(`${o.label}: ${contenders.length} contenders × ${o.ratePerContender} calls/s`);
    let seq = 0;
    for (let p = 0; p < PHASE_NAMES.length; p++) {
      const name = PHASE_NAMES[p]!;
      const ms = o.phaseMs[name];
      // Every failure phase starts with closed circuits, so each one measures a fresh trip;
      // `recovered` keeps what `down` left, so it measures recovery.
      if (name !== 'recovered') contenders.forEach((c) => c.reset());
      await enterPhase(server, name);
      const startMs = Date.now();
      sentAt.push(Object.fromEntries(contenders.map((c) => [c.name, c.sent()])));
      openAtStart.push(Object.fromEntries(contenders.map((c) => [c.name, c.isOpen()])));
      const perTick = (o.ratePerContender * TICK_MS) / 1_000;
      let owed = 0;
      for (let tick = 0; Date.now() - startMs < ms && tick < ms / TICK_MS + 10; tick++) {
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
      windows.push({ name, startMs, endMs: Date.now() });
      console.log(`  ${name.padEnd(12)} done (${pending.size} calls in flight)`);
    }
    sentAt.push(Object.fromEntries(contenders.map((c) => [c.name, c.sent()])));
    await Promise.race([
      Promise.allSettled([...pending]),
      new Promise((r) => setTimeout(r, 5_000)),
    ]);
    const { arrivals } = (await ask(server, { report: true })) as {
      arrivals: Array<[string, number, 'read' | 'write']>;
    };
    contenders.forEach((c) => c.close());

    const results: ScenarioResult['results'] = {};
    for (const c of contenders) {
      const phases: Record<string, PhaseFigures> = {};
      windows.forEach((w, p) => {
        const mine = calls.filter((r) => r.contender === c.name && r.phase === p);
        const reached = arrivals
          .filter(([n, t]) => n === c.name && t >= w.startMs && t < w.endMs)
          .map(([, t, k]): [number, 'read' | 'write'] => [t, k]);
        // Circuits are per method: a call counts as "after the trip" once its own method's
        // circuit has opened in this phase; the phase's trip time is the first of them.
        const tripOf = (kind: 'read' | 'write') => {
          if (openAtStart[p]![c.name]) return w.startMs;
          return (
            opens[c.name]!.find(([t, k]) => k === kind && t >= w.startMs && t < w.endMs)?.[0] ??
            null
          );
        };
        const sent = sentAt[p + 1]![c.name]! - sentAt[p]![c.name]!;
        phases[w.name] = phaseFigures(
          mine,
          reached,
          sent,
          { read: tripOf('read'), write: tripOf('write') },
          w.startMs,
        );
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
    return { names, calls, windows, openSamples, results };
  } finally {
    killServer();
    process.removeListener('exit', killServer);
  }
}
