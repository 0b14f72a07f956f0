import { describe, expect, it } from 'vitest';
import { CountWindow } from '../../src/core/windows/count-window.js';
import { TimeWindow } from '../../src/core/windows/time-window.js';
import { InFlightList, InFlightNode } from '../../src/core/in-flight.js';

describe('CountWindow', () => {
  it('keeps totals of the last N calls only', () => {
    const w = new CountWindow(3);
    w.add(true, false);
    w.add(true, true);
    w.add(false, true);
    expect(w.totals()).toEqual({ calls: 3, failures: 2, slow: 2 });
    w.add(false, false);
    expect(w.totals()).toEqual({ calls: 3, failures: 1, slow: 2 });
  });

  it('forgets everything on reset', () => {
    const w = new CountWindow(2);
    w.add(true, true);
    w.reset();
    expect(w.totals()).toEqual({ calls: 0, failures: 0, slow: 0 });
  });
});

describe('TimeWindow', () => {
  it('expires calls older than the window, one bucket at a time', () => {
    const w = new TimeWindow(1_000);
    w.add(true, false, 0);
    w.add(false, false, 500);
    expect(w.totals(999)).toEqual({ calls: 2, failures: 1, slow: 0 });
    expect(w.totals(1_000)).toEqual({ calls: 1, failures: 0, slow: 0 });
    expect(w.totals(1_500)).toEqual({ calls: 0, failures: 0, slow: 0 });
  });

  it('survives a gap much longer than the window', () => {
    const w = new TimeWindow(1_000);
    w.add(true, true, 10);
    w.add(true, true, 1_000_000);
    expect(w.totals(1_000_000)).toEqual({ calls: 1, failures: 1, slow: 1 });
  });

  it('matches a brute-force count over random times', () => {
    const w = new TimeWindow(1_000);
    const log: Array<[number, boolean]> = [];
    let t = 0;
    for (let i = 0; i < 2_000; i++) {
      t += Math.floor(Math.random() * 60);
      const f = Math.random() < 0.3;
      w.add(f, false, t);
      log.push([t, f]);
      // the window is accurate to one bucket (100 ms): calls in the current bucket and the 9 before
      const bucketStart = Math.floor(t / 100) * 100 - 900;
      const inWindow = log.filter(([at]) => at >= bucketStart);
      expect(w.totals(t).calls).toBe(inWindow.length);
      expect(w.totals(t).failures).toBe(inWindow.filter(([, x]) => x).length);
    }
  });
});

describe('InFlightList', () => {
  it('marks calls slow once, oldest first, and unmarks them when they finish', () => {
    const list = new InFlightList();
    const a = new InFlightNode(0);
    const b = new InFlightNode(50);
    const c = new InFlightNode(90);
    [a, b, c].forEach((n) => list.push(n));
    expect(list.markSlow(99, 100)).toBe(0);
    expect(list.markSlow(150, 100)).toBe(2);
    expect(list.markSlow(150, 100)).toBe(2);
    expect(list.remove(b)).toBe(true);
    expect(list.slowCount).toBe(1);
    expect(list.remove(c)).toBe(false);
    expect(list.markSlow(1_000, 100)).toBe(1);
    list.remove(a);
    expect(list.slowCount).toBe(0);
  });

  it('keeps the cursor valid when the node under it finishes', () => {
    const list = new InFlightList();
    const a = new InFlightNode(0);
    const b = new InFlightNode(10);
    list.push(a);
    list.push(b);
    list.remove(a);
    expect(list.markSlow(200, 100)).toBe(1);
    list.clear();
    expect(list.slowCount).toBe(0);
    expect(list.remove(b)).toBe(false);
  });
});
