/**
 * Call deadlines without a timer per call (src/thrift/deadlines.ts). Timers fire late on a busy
 * machine, never early: each check is that a node expires at or after its own deadline, in
 * order, and within a generous bound — not at a wall-clock moment.
 */
import { describe, expect, it } from 'vitest';
import { Deadlines, type DeadlineList, type DeadlineNode } from '../../src/thrift/deadlines.js';
import { delay } from './helpers/settle.js';

/** Expired nodes, in order, with how late each was against its own deadline (ms, ≥ 0). */
type Log = Array<{ name: string; lateMs: number }>;

function node(name: string, log: Log): DeadlineNode {
  const n: DeadlineNode = {
    deadline: 0,
    prevDeadline: undefined,
    nextDeadline: undefined,
    deadlineList: undefined as DeadlineList | undefined,
    // Node may fire a timer up to 1 ms early by performance.now(); the list allows for it.
    expire: () => log.push({ name, lateMs: performance.now() - n.deadline + 1 }),
  };
  return n;
}

/** Waits until `log` holds `count` entries, at most `boundMs` (a missing expiry fails). */
async function expired(log: Log, count: number, boundMs = 3_000): Promise<string[]> {
  const until = performance.now() + boundMs;
  while (log.length < count && performance.now() < until) await delay(5);
  return log.map((e) => e.name);
}

describe('call deadlines', () => {
  it('expires pending calls in order at their deadline and never the removed ones', async () => {
    const d = new Deadlines();
    const log: Log = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => node(n, log)) as [
      DeadlineNode,
      DeadlineNode,
      DeadlineNode,
    ];
    const t0 = performance.now();
    d.add(a, 40);
    d.add(b, 40);
    d.add(c, 40);
    d.remove(b);
    expect(await expired(log, 2)).toEqual(['a', 'c']);
    expect(a.deadline - t0).toBeGreaterThanOrEqual(40);
    for (const e of log) expect(e.lateMs).toBeGreaterThanOrEqual(0);
    await delay(60);
    expect(log.map((e) => e.name)).toEqual(['a', 'c']); // b never
  });

  it('re-arms for a later call after an earlier one finished first', async () => {
    const d = new Deadlines();
    const log: Log = [];
    const first = node('first', log);
    d.add(first, 30);
    await delay(15);
    const second = node('second', log);
    d.add(second, 30); // due after the timer armed for `first` fires
    d.remove(first);
    // The timer armed for `first` finds nothing due, and re-arms for `second`: never early.
    expect(await expired(log, 1)).toEqual(['second']);
    expect(log[0]!.lateMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps distinct timeouts apart and holds no ref’d timer', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const d = new Deadlines();
    const log: Log = [];
    d.add(node('long', log), 60);
    d.add(node('short', log), 10);
    expect(timers()).toBe(before);
    expect(await expired(log, 2)).toEqual(['short', 'long']);
    for (const e of log) expect(e.lateMs).toBeGreaterThanOrEqual(0);
  });
});
