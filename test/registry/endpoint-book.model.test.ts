/**
 * The ejection book (shared by the gRPC per-endpoint breaker and the Thrift hosts client) against
 * a reference model, over random sequences of failures, successes, operator actions, time passing
 * and host-list changes. After every step, with every circuit read: the number of ejected
 * endpoints is exactly what the cap allows of the sick ones (none when all are sick), and only
 * sick endpoints are ejected.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { EndpointBook, ejectionCap } from '../../src/registry/endpoint-book.js';
import { fcRuns } from '../fc-runs.js';

const UNIVERSE = ['a:1', 'b:1', 'c:1', 'd:1', 'e:1', 'f:1'];
const SICK = new Set(['open', 'forced-open']);

type Step =
  | { kind: 'fail' | 'succeed' | 'force-open' | 'reset'; host: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'retain'; mask: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      'fail' as const,
      'succeed' as const,
      'force-open' as const,
      'reset' as const,
    ),
    host: fc.nat(UNIVERSE.length - 1),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1_500 }) }),
  fc.record({ kind: fc.constant('retain' as const), mask: fc.integer({ min: 0, max: 63 }) }),
);

describe('EndpointBook (model)', () => {
  it('ejects min(cap, sick) endpoints, none when all are sick, and only sick ones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 63 }),
        fc.array(step, { maxLength: 60 }),
        (percent, initialMask, steps) => {
          const clock = new ManualClock();
          const registry = new CircuitRegistry({ clock });
          const book = new EndpointBook({
            registry,
            policyFor: () => ({ trip: { consecutiveFailures: 1 }, openMs: 1_000 }),
            nameOf: (a) => `h/${a}`,
            maxEjectionPercent: percent,
            readmitWhenClosed: false,
          });
          let present = UNIVERSE.filter((_, i) => initialMask & (1 << i));
          book.retain(new Set(present));
          const check = () => {
            book.readmitDue(clock.now());
            const entries = present.map((a) => book.entry(a));
            // Reading every state moves open circuits whose time is up to half-open.
            const sick = entries.filter((e) => SICK.has(e.circuit.state)).length;
            const ejected = entries.filter((e) => e.ejected);
            const all = sick === entries.length && entries.length > 0;
            expect(book.ejected).toBe(ejected.length);
            expect(ejected.length).toBe(
              all ? 0 : Math.min(ejectionCap(entries.length, percent), sick),
            );
            for (const e of ejected) expect(SICK.has(e.circuit.state)).toBe(true);
          };
          check();
          for (const s of steps) {
            if (s.kind === 'advance') clock.advance(s.ms);
            else if (s.kind === 'retain') {
              const next = UNIVERSE.filter((_, i) => s.mask & (1 << i));
              if (next.length > 0) {
                present = next;
                book.retain(new Set(present));
              }
            } else {
              const a = UNIVERSE[s.host]!;
              if (!present.includes(a)) continue;
              const circuit = book.entry(a).circuit;
              if (s.kind === 'force-open' || s.kind === 'reset')
                registry.control(circuit.name, s.kind);
              else circuit.tryAcquire()?.record(s.kind === 'fail' ? 'failure' : 'success');
            }
            check();
          }
          book.close();
        },
      ),
      { numRuns: fcRuns(2_000) },
    );
  });

  it('takes back ejections beyond the cap when the endpoint list shrinks (found by the model)', () => {
    const registry = new CircuitRegistry({ clock: new ManualClock() });
    const book = new EndpointBook({
      registry,
      policyFor: () => ({ trip: { consecutiveFailures: 1 }, openMs: 1_000 }),
      nameOf: (a) => `h/${a}`,
      maxEjectionPercent: 50,
      readmitWhenClosed: false,
    });
    book.retain(new Set(['a:1', 'b:1', 'd:1', 'f:1']));
    for (const a of ['b:1', 'a:1']) book.entry(a).circuit.tryAcquire()!.record('failure');
    expect(book.ejected).toBe(2); // 50 % of 4
    book.retain(new Set(['a:1', 'b:1', 'c:1']));
    expect(book.ejected).toBe(1); // 50 % of 3, rounded down
    book.close();
  });
});
