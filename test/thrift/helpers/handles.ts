/**
 * Asserts that a test file closes what it opens: the kinds of active handles (sockets, servers,
 * timers) counted before the first test and after the last one, once they have had a moment to
 * settle (a destroyed socket is released on a later event-loop turn).
 */
import { afterAll, beforeAll, expect } from 'vitest';

function census(): Map<string, number> {
  const out = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) out.set(kind, (out.get(kind) ?? 0) + 1);
  return out;
}

/** Registers hooks failing the file when more handles are open at its end than at its start. */
export function expectHandlesClosed(settleMs = 2_000): void {
  let before = new Map<string, number>();
  beforeAll(() => {
    before = census();
  });
  afterAll(async () => {
    const end = Date.now() + settleMs;
    let extra: Record<string, number> = {};
    do {
      await new Promise((r) => setTimeout(r, 20));
      extra = {};
      for (const [kind, n] of census()) {
        // The timer of this very loop is one Timeout.
        const allowed = (before.get(kind) ?? 0) + (kind === 'Timeout' ? 1 : 0);
        if (n > allowed) extra[kind] = n - allowed;
      }
    } while (Object.keys(extra).length > 0 && Date.now() < end);
    expect(extra).toEqual({});
  });
}
