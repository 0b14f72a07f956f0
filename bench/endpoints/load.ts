/**
 * The steady load of the endpoints benchmark and what it records. A contender is anything that
 * can make one call (with its own 1 s deadline) and report which backends its requests were
 * sent to; the load generator starts calls at a fixed rate, never waiting for answers (an open
 * loop, as real traffic does), and records each call's start, latency and outcome.
 */

/** Every call's deadline, ms. */
export const DEADLINE_MS = 1_000;
/** Calls started per second. */
export const RATE = 200;

/** One call made by the load generator. */
export interface CallRecord {
  /** performance.now() when the call was started. */
  startMs: number;
  latencyMs: number;
  ok: boolean;
  /** Id of the backend whose reply the call got (`b0`…), '' when it failed. */
  answeredBy: string;
}

/** One request written to a backend (a call may be rejected before any is written). */
export interface SendRecord {
  /** performance.now() when the request was sent (gRPC: when the call started). */
  atMs: number;
  /** Backend id. */
  backend: string;
}

/** A circuit transition: when (performance.now()) and what (`b2 open (slow-call-rate)`). */
export interface CircuitEvent {
  atMs: number;
  what: string;
}

/** What one call reports. */
export interface CallOutcome {
  ok: boolean;
  answeredBy: string;
}

/** A contender's client, fresh for each phase. */
export interface ContenderClient {
  /** Makes one call with a `DEADLINE_MS` deadline; never rejects. */
  call(): Promise<CallOutcome>;
  /** Requests sent so far, per backend (filled by the client as they are sent). */
  readonly sends: SendRecord[];
  /** When a per-method circuit opened (performance.now()); undefined: no method breaker. */
  readonly methodOpens: number[] | undefined;
  /** Circuit transitions the client's own breakers reported (diagnostics, printed). */
  readonly events?: CircuitEvent[];
  close(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `RATE` calls per second on `client` for `durationMs` (bounded: `RATE × durationMs`
 * calls at most), then waits for every call to end (each has a deadline). Calls are started on
 * schedule even when earlier ones have not ended.
 */
export async function steadyLoad(
  client: ContenderClient,
  durationMs: number,
): Promise<CallRecord[]> {
  const total = Math.round((RATE * durationMs) / 1_000);
  const begin = performance.now();
  const pending: Array<Promise<CallRecord>> = [];
  for (let i = 0; i < total; i++) {
    const wait = begin + (i * 1_000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const startMs = performance.now();
    pending.push(
      client.call().then((o) => ({ startMs, latencyMs: performance.now() - startMs, ...o })),
    );
  }
  return Promise.all(pending);
}

/** `n` calls one after another (warm-up: connects every subchannel); the backends that answered. */
export async function warmUp(client: ContenderClient, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const end = performance.now() + 5_000;
  for (let i = 0; i < n && performance.now() < end; i++) {
    const o = await client.call();
    if (o.ok) seen.add(o.answeredBy);
  }
  return seen;
}
