/**
 * A check that a test file leaves no handle open: the kinds of active resources (sockets, servers,
 * timers, child processes) counted before and after. grpc-js releases a closed channel's socket
 * within a few event-loop turns, so the check waits a little for the counts to settle.
 */
import { afterAll, beforeAll, expect } from 'vitest';

function census(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/** Registers before/after hooks asserting that no more handles are open at the end than at the start. */
export function expectNoLeakedHandles(settleMs = 2_000): void {
  let before: Record<string, number> = {};
  beforeAll(() => {
    before = census();
  });
  afterAll(async () => {
    const end = Date.now() + settleMs;
    let extra: Record<string, number> = {};
    do {
      await new Promise((r) => setTimeout(r, 20));
      const now = census();
      extra = {};
      for (const [k, n] of Object.entries(now)) {
        // The polling timer of this very loop is one Timeout.
        const allowed = (before[k] ?? 0) + (k === 'Timeout' ? 1 : 0);
        if (n > allowed) extra[k] = n - allowed;
      }
    } while (Object.keys(extra).length > 0 && Date.now() < end);
    expect(extra).toEqual({});
  });
}
