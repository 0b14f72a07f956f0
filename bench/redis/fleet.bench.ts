/**
 * Fleet benchmark of the two sharing modes (`sharing: 'any'` and a quorum). Eight member
 * processes (fleet-member.ts) call one HTTP dependency every 10 ms, each through its own TCP
 * path (test/storage/redis/faulty-path.ts); circuits trip on 5 consecutive failures, open 2 s.
 * Per round: (1) member 0's path is broken for 3 s — how many of the other seven open wrongly;
 * (2) the path is mended, the fleet closes, then the dependency answers 500 to everyone — how
 * long until all eight are open, and how many calls reach the sick dependency in its first
 * 1.5 s. Three rounds per mode, interleaved; medians (and ranges). Starts its own redis-server.
 * Run: npx tsx bench/redis/fleet.bench.ts (about 2 minutes)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Dependency, FaultyPath } from '../../test/storage/redis/faulty-path.js';
import { RedisServer, redisAvailable } from '../../test/storage/redis/redis-server.js';
import { isMain, median, saveResults, table } from '../harness.js';

const MEMBERS = 8;
const ROUNDS = 3;
const QUORUM = { quorum: { minMembers: 2, share: 0.5, windowMs: 10_000, activeMs: 1_500 } };
const MODES: Record<string, unknown> = { any: 'any', quorum: QUORUM };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let prefixN = 0;

interface Round {
  wronglyOpened: number;
  brokenMemberOpened: boolean;
  fleetOpenMs: number;
  sickCalls: number;
}

async function startMember(port: number, prefix: string, sharing: unknown) {
  const script = fileURLToPath(new URL('./fleet-member.ts', import.meta.url));
  const child = fork(script, [String(port), prefix, JSON.stringify(sharing)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('member not ready in 20 s')), 20_000);
    child.once('message', () => resolve(clearTimeout(timer)));
  });
  return child;
}

async function round(server: RedisServer, sharing: unknown): Promise<Round> {
  const dependency = await Dependency.start();
  const paths = await Promise.all(
    Array.from({ length: MEMBERS }, () => FaultyPath.start(dependency.port)),
  );
  const prefix = `fleet-bench${prefixN++}:`;
  const members: ChildProcess[] = [];
  try {
    for (let i = 0; i < MEMBERS; i++) members.push(await startMember(server.port, prefix, sharing));
    const events = members.map(() => [] as Array<{ to: string; at: number }>);
    members.forEach((m, i) =>
      m.on('message', (e: { to?: string; at: number }) => {
        if (e.to) events[i]!.push({ to: e.to, at: e.at });
      }),
    );
    const stateOf = (i: number) => events[i]!.at(-1)?.to ?? 'closed';
    const openedSince = (i: number, t: number) =>
      events[i]!.find((e) => e.to === 'open' && e.at >= t)?.at;
    await sleep(QUORUM.quorum.activeMs); // every member has counted the others
    members.forEach((m, i) => m.send({ cmd: 'run', url: paths[i]!.url }));
    await sleep(500);

    const brokenAt = Date.now();
    paths[0]!.break();
    await sleep(3_000);
    let wronglyOpened = 0;
    for (let i = 1; i < MEMBERS; i++) if (openedSince(i, brokenAt) !== undefined) wronglyOpened++;
    const brokenMemberOpened = openedSince(0, brokenAt) !== undefined;
    paths[0]!.mend();
    const recoverBy = Date.now() + 8_000;
    while (Date.now() < recoverBy && members.some((_, i) => stateOf(i) !== 'closed')) {
      await sleep(50);
    }

    const before = dependency.requests;
    const sickAt = Date.now();
    dependency.sick = true;
    await sleep(1_500);
    const sickCalls = dependency.requests - before;
    const opened = members.map((_, i) => openedSince(i, sickAt));
    const fleetOpenMs = opened.every((t) => t !== undefined)
      ? Math.max(...(opened as number[])) - sickAt
      : Infinity;
    return { wronglyOpened, brokenMemberOpened, fleetOpenMs, sickCalls };
  } finally {
    for (const m of members) if (m.connected) m.send({ cmd: 'exit' });
    await Promise.all(
      members.map((m) => (m.exitCode === null ? new Promise((r) => m.once('exit', r)) : null)),
    );
    await Promise.all(paths.map((p) => p.close()));
    await dependency.close();
  }
}

const range = (xs: number[]) => `${Math.min(...xs)}–${Math.max(...xs)}`;

export async function main() {
  if (!redisAvailable) {
    console.log('redis-server is not installed: the fleet benchmark is skipped');
    return undefined;
  }
  const server = await RedisServer.start();
  const rounds: Record<string, Round[]> = { any: [], quorum: [] };
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of Object.keys(MODES)) rounds[mode]!.push(await round(server, MODES[mode]));
    }
  } finally {
    await server.stop();
  }
  const rows = Object.entries(rounds).map(([mode, rs]) => {
    const wrong = rs.map((r) => r.wronglyOpened);
    const open = rs.map((r) => r.fleetOpenMs);
    const calls = rs.map((r) => r.sickCalls);
    return [
      mode === 'any' ? "'any'" : 'quorum (minMembers 2, share 0.5)',
      `${median(wrong)} (${range(wrong)})`,
      `${rs.filter((r) => r.brokenMemberOpened).length}/${rs.length}`,
      `${median(open).toFixed(0)} (${range(open.map(Math.round))})`,
      `${median(calls)} (${range(calls)})`,
    ];
  });
  console.log(`\n## Fleet of ${MEMBERS}: one broken path, then a sick dependency\n`);
  const t = table(
    [
      'sharing',
      'healthy members opened by one broken path (of 7)',
      'rounds where the broken member opened',
      'ms until all 8 open (sick dependency)',
      'calls reaching the sick dependency in 1.5 s',
    ],
    rows,
  );
  saveResults('redis-fleet', { rounds, table: t });
  return rounds;
}

if (isMain(import.meta.url)) {
  await main();
  process.exit(0);
}
