/**
 * One contender of a resilience scenario in its own process, so that no contender's pile of
 * pending calls slows another's event loop. Driven by the parent over IPC:
 * `{ reset }` → closes its circuits; `{ phase, ms, rate }` → sends the phase's load and answers
 * `{ done }`; `{ report }` → answers with everything it recorded, then exits.
 * Usage: client-main.ts <grpc|thrift> <contender> <ports json>
 */
import type { CallResult, Contender } from './contenders.js';
import { GRPC_CONTENDERS } from './contenders.js';
import type { CallRecord } from './report.js';
import { THRIFT_CONTENDER_FACTORIES } from './thrift-contenders.js';

const [kind, name, portsJson] = process.argv.slice(2) as [string, string, string];
const ports = JSON.parse(portsJson) as Record<string, number>;
const contender: Contender =
  kind === 'grpc'
    ? GRPC_CONTENDERS[name]!(`127.0.0.1:${ports.all}`)
    : THRIFT_CONTENDER_FACTORIES[name]!(ports);

const TICK_MS = 20;
const calls: CallRecord[] = [];
const opens: Array<[number, 'read' | 'write']> = [];
const openAtStart: boolean[] = [];
const sentAt: number[] = [];
const openSamples: Array<[number, boolean]> = [];
const pending = new Set<Promise<void>>();
let seq = 0;
contender.onOpen = (at, k) => opens.push([at, k]);

async function runPhase(phase: number, ms: number, rate: number): Promise<void> {
  const start = Date.now();
  sentAt.push(contender.sent());
  openAtStart.push(contender.isOpen());
  let owed = 0;
  for (let tick = 0; Date.now() - start < ms && tick < ms / TICK_MS + 10; tick++) {
    owed += (rate * TICK_MS) / 1_000;
    for (; owed >= 1; owed--) {
      // The same deterministic mix in every contender: 4 reads, then a write; 20 item ids.
      const n = seq++;
      const k: 'read' | 'write' = n % 5 === 4 ? 'write' : 'read';
      const id = `item-${n % 20}`;
      const t = Date.now();
      const run = (k === 'read' ? contender.read(id) : contender.write(id)).then(
        (result: CallResult) => {
          calls.push({
            contender: name,
            phase,
            startMs: t,
            latencyMs: Date.now() - t,
            kind: k,
            result,
          });
        },
      );
      pending.add(run);
      void run.finally(() => pending.delete(run));
    }
    openSamples.push([Date.now(), contender.isOpen()]);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
}

process.on(
  'message',
  async (m: { reset?: boolean; phase?: number; ms?: number; rate?: number; report?: boolean }) => {
    if (m.reset) {
      contender.reset();
      process.send!({ ok: true });
    } else if (m.phase !== undefined) {
      await runPhase(m.phase, m.ms!, m.rate!);
      process.send!({ done: true, inFlight: pending.size });
    } else if (m.report) {
      sentAt.push(contender.sent());
      await Promise.race([
        Promise.allSettled([...pending]),
        new Promise((r) => setTimeout(r, 5_000)),
      ]);
      process.send!({ calls, opens, openAtStart, sentAt, openSamples }, () => {
        contender.close();
        setTimeout(() => process.exit(0), 100);
      });
    }
  },
);
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
