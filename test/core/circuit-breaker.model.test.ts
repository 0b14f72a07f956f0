/**
 * Model-based test: random command sequences run against the real CircuitBreaker and against a
 * deliberately naive reference model of the state machine written here; after every command the
 * two must agree on the state, on whether a call was let through, and on the calls in flight.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/core/circuit-breaker.js';
import { fcRuns } from '../fc-runs.js';
import { ManualClock } from '../../src/core/clock.js';
import type { CircuitState, Outcome, Permit } from '../../src/core/types.js';

interface Params {
  failMax: number;
  openMs: number;
  probes: number;
  successes: number;
  maxConcurrent: number | undefined;
}

interface ModelPermit {
  gen: number;
  probe: boolean;
  done: boolean;
}

class Model {
  state: CircuitState = 'closed';
  gen = 0;
  openUntil = 0;
  consecutive = 0;
  inFlight = 0;
  probesInFlight = 0;
  successes = 0;
  constructor(private readonly p: Params) {}

  private go(to: CircuitState, now: number) {
    this.state = to;
    this.gen++;
    this.consecutive = 0;
    this.probesInFlight = 0;
    this.successes = 0;
    if (to === 'open') this.openUntil = now + this.p.openMs;
  }

  advance(now: number) {
    if (this.state === 'open' && now >= this.openUntil) this.go('half-open', now);
  }

  acquire(now: number): ModelPermit | undefined {
    this.advance(now);
    const grant = (probe: boolean) => {
      this.inFlight++;
      return { gen: this.gen, probe, done: false };
    };
    if (this.state === 'disabled') return grant(false);
    if (this.state === 'open' || this.state === 'forced-open') return undefined;
    if (this.p.maxConcurrent !== undefined && this.inFlight >= this.p.maxConcurrent)
      return undefined;
    if (this.state === 'half-open') {
      if (this.probesInFlight >= this.p.probes) return undefined;
      this.probesInFlight++;
      return grant(true);
    }
    return grant(false);
  }

  record(permit: ModelPermit, outcome: Outcome, now: number) {
    if (permit.done) return;
    permit.done = true;
    this.inFlight--;
    if (permit.gen !== this.gen || this.state === 'disabled') return;
    if (this.state === 'half-open') {
      if (!permit.probe) return;
      this.probesInFlight--;
      if (outcome === 'failure') this.go('open', now);
      else if (outcome === 'success' && ++this.successes >= this.p.successes)
        this.go('closed', now);
      return;
    }
    if (this.state !== 'closed' || outcome === 'ignore') return;
    if (outcome === 'success') this.consecutive = 0;
    else if (++this.consecutive >= this.p.failMax) this.go('open', now);
  }
}

type Command =
  | { kind: 'acquire' }
  | { kind: 'record'; index: number; outcome: Outcome }
  | { kind: 'advance'; ms: number }
  | { kind: 'forceOpen' }
  | { kind: 'disable' }
  | { kind: 'reset' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'acquire' as const }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      index: fc.nat(20),
      outcome: fc.constantFrom<Outcome>('success', 'failure', 'failure', 'ignore'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 150 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'forceOpen' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'disable' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
);

const params: fc.Arbitrary<Params> = fc.record({
  failMax: fc.integer({ min: 1, max: 4 }),
  openMs: fc.integer({ min: 10, max: 100 }),
  probes: fc.integer({ min: 1, max: 3 }),
  successes: fc.integer({ min: 1, max: 3 }),
  maxConcurrent: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
});

describe('CircuitBreaker against a reference model', () => {
  it('agrees with the model over 10,000 random command sequences', () => {
    fc.assert(
      fc.property(params, fc.array(command, { maxLength: 80 }), (p, commands) => {
        const clock = new ManualClock();
        const real = new CircuitBreaker(
          'm',
          {
            trip: { consecutiveFailures: p.failMax },
            openMs: p.openMs,
            halfOpenProbes: p.probes,
            halfOpenSuccesses: p.successes,
            maxConcurrent: p.maxConcurrent,
          },
          { clock },
        );
        const model = new Model(p);
        const outstanding: Array<[Permit, ModelPermit]> = [];
        for (const c of commands) {
          switch (c.kind) {
            case 'acquire': {
              const r = real.tryAcquire();
              const m = model.acquire(clock.now());
              expect(Boolean(r)).toBe(Boolean(m));
              if (r && m) outstanding.push([r, m]);
              break;
            }
            case 'record': {
              const pair = outstanding[c.index % Math.max(1, outstanding.length)];
              if (!pair) break;
              pair[0].record(c.outcome);
              model.record(pair[1], c.outcome, clock.now());
              break;
            }
            case 'advance':
              clock.advance(c.ms);
              break;
            case 'forceOpen':
              real.forceOpen();
              model['go']('forced-open', clock.now());
              break;
            case 'disable':
              real.disable();
              model['go']('disabled', clock.now());
              break;
            case 'reset':
              real.reset();
              model['go']('closed', clock.now());
              break;
          }
          model.advance(clock.now());
          expect(real.state).toBe(model.state);
          expect(real.inFlight).toBe(model.inFlight);
          expect(real.generation).toBe(model.gen);
        }
      }),
      { numRuns: fcRuns(10_000) },
    );
  });
});
