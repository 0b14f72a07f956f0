import { describe, expect, it } from 'vitest';
import { Deadlines, type DeadlineList, type DeadlineNode } from '../../src/thrift/deadlines.js';
import { delay } from './helpers/settle.js';

function node(name: string, log: string[]): DeadlineNode {
  return {
    deadline: 0,
    prevDeadline: undefined,
    nextDeadline: undefined,
    deadlineList: undefined as DeadlineList | undefined,
    expire: () => log.push(name),
  };
}

describe('call deadlines', () => {
  it('expires pending calls in order at their deadline and never the removed ones', async () => {
    const d = new Deadlines();
    const log: string[] = [];
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
    await delay(20);
    expect(log).toEqual([]);
    await delay(60);
    expect(log).toEqual(['a', 'c']);
    expect(a.deadline - t0).toBeGreaterThanOrEqual(40);
  });

  it('re-arms for a later call after an earlier one finished first', async () => {
    const d = new Deadlines();
    const log: string[] = [];
    const first = node('first', log);
    d.add(first, 30);
    await delay(15);
    const second = node('second', log);
    d.add(second, 30); // due ~15 ms after the timer armed for `first`
    d.remove(first);
    await delay(25);
    expect(log).toEqual([]);
    await delay(40);
    expect(log).toEqual(['second']);
  });

  it('keeps distinct timeouts apart and holds no ref’d timer', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const d = new Deadlines();
    const log: string[] = [];
    d.add(node('long', log), 60);
    d.add(node('short', log), 10);
    expect(timers()).toBe(before);
    await delay(90);
    expect(log).toEqual(['short', 'long']);
  });
});
