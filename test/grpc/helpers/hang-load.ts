/**
 * A steady, bounded load of Echo/Say calls against a real server that starts to hang mid-run:
 * what a hung dependency looks like to a breaker. One call is started every `intervalMs` without
 * waiting for the previous one; after `healthyMs` the server stops answering, and the load goes
 * on until the circuit has been open for `afterOpenMs` and 5 calls have started since (or
 * `maxCalls` calls, or `maxMs`). Then
 * every call is awaited, so that the calls stuck in the hang are seen to end by their deadline.
 *
 * All times are `performance.now()` ms, the clock of the registry (systemClock).
 */
import type * as grpc from '@grpc/grpc-js';
import { Fixture, say } from './fixture.js';
import { header } from './calls.js';
import { paths } from './services.js';
import { hang } from './test-server.js';
import type { GrpcMethodPolicy } from '../../../src/grpc/options.js';

/** One call of the load. */
export interface LoadCall {
  startedAt: number;
  endedAt: number;
  code: grpc.status;
  /** The circuit answered (x-circuit-state in the trailers): the call never reached the network. */
  shortCircuited: boolean;
}

/** What a run saw. */
export interface HangRun {
  /** When the server was switched to hang. */
  hangAt: number;
  /** When the circuit opened (undefined: it never did within the run). */
  openedAt: number | undefined;
  /** Why it opened, as the snapshot says. */
  tripReason: string | null;
  calls: LoadCall[];
  /** Calls the server received after it started hanging. */
  hungOnServer: number;
}

/** Options of a run. */
export interface HangLoadOptions {
  /** The Say method's policy (timeoutMs, circuit, ...). */
  policy: GrpcMethodPolicy;
  intervalMs?: number;
  healthyMs?: number;
  afterOpenMs?: number;
  maxCalls?: number;
  maxMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the scenario on a fresh fixture, closed before returning. */
export async function runHangLoad(o: HangLoadOptions): Promise<HangRun> {
  const { intervalMs = 10, healthyMs = 200, afterOpenMs = 100, maxCalls = 300 } = o;
  const maxMs = o.maxMs ?? healthyMs + 2_000;
  const f = await Fixture.create({ manualClock: false, methods: { [paths.say]: o.policy } });
  try {
    let openedAt: number | undefined;
    const sub = f.registry.onStateChange((e) => {
      if (e.to === 'open' && openedAt === undefined) openedAt = performance.now();
    });
    const client = f.echo();
    const pending: Array<Promise<LoadCall>> = [];
    const begin = performance.now();
    let hangAt = Infinity;
    let arrivedBeforeHang = 0;
    let startedAfterOpen = 0;
    for (let i = 0; i < maxCalls; i++) {
      const now = performance.now();
      if (now - begin >= healthyMs && hangAt === Infinity) {
        arrivedBeforeHang = f.server.count('Say');
        f.server.set(hang);
        hangAt = performance.now();
      }
      if (now - begin > maxMs) break;
      // A few calls after the opening, however long a busy machine stretches the sleeps.
      if (openedAt !== undefined && now - openedAt >= afterOpenMs && startedAfterOpen >= 5) break;
      const startedAt = performance.now();
      if (openedAt !== undefined && startedAt > openedAt) startedAfterOpen++;
      pending.push(
        say(client, { message: `m${i}` }).then((r) => ({
          startedAt,
          endedAt: performance.now(),
          code: r.status.code,
          shortCircuited: header(r.status.metadata, 'x-circuit-state') !== undefined,
        })),
      );
      await sleep(intervalMs);
    }
    const calls = await Promise.all(pending);
    const tripReason = f.registry.get(paths.say).snapshot().lastTripReason ?? null;
    sub.dispose();
    return {
      hangAt,
      openedAt,
      tripReason,
      calls,
      hungOnServer: f.server.count('Say') - arrivedBeforeHang,
    };
  } finally {
    await f.close();
  }
}
