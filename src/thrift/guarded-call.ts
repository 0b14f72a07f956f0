/**
 * One guarded Thrift call: circuit, deadline, retries and fallbacks around the attempts.
 *
 * Each attempt asks the circuit for a permit. A rejected first attempt is answered by the
 * fallback when there is one, else rejected with `CircuitOpenError`; nothing is sent. An attempt
 * reports its outcome when it ends (reply, deadline, connection failure), judged by the method's
 * classifier; an error raised while writing the request is the caller's and is ignored. A
 * failed attempt is retried when the retry policy and budget allow it, the delay fits before the
 * deadline and the circuit is not open; a retry the circuit rejects ends with the last real
 * failure (or a fallback). When retries stop, a fallback may answer (`serveOn:
 * 'open-or-failure'`), else the last real failure is passed on. The deadline (`timeoutMs`)
 * covers the whole call, retries included.
 */
import type { CircuitRegistry } from '../registry/circuit-registry.js';
import type { CallContext } from '../classify/call-context.js';
import { runAttempt } from './attempt.js';
import type { ConnectionWatch } from './connection-watch.js';
import { thriftCallContext, type MethodRuntime } from './method-runtime.js';
import { serializeArgs } from './args-key.js';
import type { FallbackCall } from './fallback-port.js';
import { deriveCacheKey } from '../fallback/index.js';

/** What every call of one wrapped client shares. */
export interface ClientEnv {
  readonly client: object;
  readonly registry: CircuitRegistry;
  readonly watch: ConnectionWatch | undefined;
}

/** Runs a guarded call of `rt` with `args`; resolves with the reply or the fallback answer. */
export function guardedCall(env: ClientEnv, rt: MethodRuntime, args: unknown[]): Promise<unknown> {
  return new ThriftCall(env, rt, args).run();
}

class ThriftCall implements FallbackCall {
  private attempt = 0;
  private key: string | undefined;

  constructor(
    private readonly env: ClientEnv,
    private readonly rt: MethodRuntime,
    private readonly args: unknown[],
  ) {}

  cacheKey(): string {
    return (this.key ??= deriveCacheKey(this.rt.rpc.name, Buffer.from(serializeArgs(this.args))));
  }

  callContext(): CallContext {
    return thriftCallContext(this.rt, this.args, Math.max(1, this.attempt));
  }

  async run(): Promise<unknown> {
    const { env, rt } = this;
    const deadline = performance.now() + rt.timeoutMs;
    rt.retry?.onOriginalCall();
    let lastFailure: { error: unknown } | undefined;
    for (;;) {
      this.attempt++;
      const breaker = env.registry.get(rt.circuit, rt.circuitPolicy);
      const permit = breaker.tryAcquire();
      if (!permit) {
        const error = lastFailure ? lastFailure.error : breaker.rejectionError();
        const answer = await this.fallback('open', error);
        if (answer) return answer.value;
        throw error;
      }
      const remainingMs = Math.max(1, Math.ceil(deadline - performance.now()));
      const r = await runAttempt(env.client, rt.rpc, this.args, remainingMs, env.watch);
      if (r.ok) {
        permit.record('success');
        if (rt.fallback?.caches) rt.fallback.remember(this, r.value);
        return r.value;
      }
      const outcome = r.local ? 'ignore' : rt.classifier.judge(r.error, () => this.callContext());
      permit.record(outcome);
      if (outcome !== 'failure') throw r.error;
      lastFailure = { error: r.error };
      const state = breaker.state;
      if (rt.retry && state !== 'open' && state !== 'forced-open') {
        const delay = rt.retry.nextDelay(this.attempt, deadline - performance.now());
        if (delay !== undefined) {
          if (delay > 0) await sleep(delay);
          continue;
        }
      }
      if (rt.fallback?.onFailure) {
        const answer = await this.fallback('failure', r.error);
        if (answer) return answer.value;
      }
      throw r.error;
    }
  }

  /** The fallback answer for a rejected or failed call, counted on the registry when served. */
  private async fallback(
    reason: 'open' | 'failure',
    error: unknown,
  ): Promise<{ value: unknown } | undefined> {
    const { rt, env } = this;
    if (!rt.fallback) return undefined;
    const answer = await rt.fallback.serve(reason, this, error);
    if (answer) env.registry.recordFallback(rt.circuit, answer.kind, rt.rpc.name);
    return answer;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
