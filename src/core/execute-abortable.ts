/**
 * `execute` with a caller's AbortSignal or a timeout: `fn` gets an AbortSignal of its own,
 * aborted when the caller's signal aborts or the timeout passes, and the returned promise settles
 * at that moment rather than when `fn` gets round to noticing.
 *
 * How each ending counts: `fn`'s own answer is classified as usual; the caller's abort counts as
 * nothing (`ignore`: the caller gave up, the dependency said nothing); the timeout counts as a
 * failure (the dependency was too slow). Whatever `fn` does after that is dropped.
 *
 * This is the one place the core starts a timer, and only for a call that asks for `timeoutMs`:
 * it is cleared when the call ends, so idle circuits still cost no timer.
 */
import type { CircuitBreaker } from './circuit-breaker.js';
import { ConfigError } from './errors.js';
import { MAX_TIMER_DELAY_MS as MAX_TIMER_MS } from './timer-delay.js';
import { hasMethods, isPlainObject, readOptions } from './validate.js';

const EXECUTE_KEYS: ReadonlySet<string> = new Set(['signal', 'timeoutMs', 'classify']);
import type { Outcome } from './types.js';

/** Options of `CircuitBreaker.execute` (its second argument may also be a bare classifier). */
export interface ExecuteOptions {
  /** The caller's signal: aborting it abandons the call, which then counts as nothing. */
  signal?: AbortSignal;
  /** Ends the call as a failure after this many ms (finite, > 0, at most 2^31 - 1). */
  timeoutMs?: number;
  /** Judges a thrown error or a returned value; default: a throw fails, a value succeeds. */
  classify?: (errorOrResult: unknown) => Outcome;
}

/** What `fn` receives from `execute`. */
export interface ExecuteContext {
  /** Aborted when the caller's signal aborts or the timeout passes; fresh for each call. */
  readonly signal: AbortSignal;
}

type Classifier = (errorOrResult: unknown) => Outcome;

/** Validated execute options. @throws ConfigError naming the option and the value */
export function readExecuteOptions(o: unknown): {
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
  classify: Classifier | undefined;
} {
  if (!isPlainObject(o))
    throw new ConfigError('execute options', 'must be a classifier or an options object', o);
  const { signal, timeoutMs, classify } = readOptions(o, EXECUTE_KEYS, '', 'ignore');
  const s = signal as Partial<AbortSignal> | null;
  if (
    signal !== undefined &&
    (typeof s !== 'object' ||
      s === null ||
      !hasMethods(s, 'signal', 'addEventListener') ||
      typeof s.aborted !== 'boolean')
  )
    throw new ConfigError('signal', 'must be an AbortSignal', signal);
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !(timeoutMs <= MAX_TIMER_MS))
  )
    throw new ConfigError('timeoutMs', `must be a number in (0, ${MAX_TIMER_MS}]`, timeoutMs);
  if (classify !== undefined && typeof classify !== 'function')
    throw new ConfigError('classify', 'must be a function', classify);
  return {
    signal: signal as AbortSignal | undefined,
    timeoutMs: timeoutMs as number | undefined,
    classify: classify as Classifier | undefined,
  };
}

/** Runs `fn` under `breaker` with its own signal; see the file comment. */
export function executeAbortable<T>(
  breaker: CircuitBreaker,
  fn: (ctx: { readonly signal: AbortSignal }) => Promise<T>,
  options: ReturnType<typeof readExecuteOptions>,
  judge: (classify: Classifier | undefined, v: unknown, fallback: Outcome) => Outcome,
): Promise<T> {
  const { signal, timeoutMs, classify } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const permit = breaker.tryAcquire();
  if (!permit) return Promise.reject(breaker.rejectionError());
  const own = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = (outcome: Outcome, settle: () => void): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      permit.record(outcome);
      settle();
    };
    const onAbort = (): void => {
      const reason: unknown = signal?.reason;
      own.abort(reason);
      end('ignore', () => reject(reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new DOMException(
          `circuit "${breaker.name}": the call took longer than ${timeoutMs} ms`,
          'TimeoutError',
        );
        own.abort(error);
        end('failure', () => reject(error));
      }, timeoutMs);
    }
    let pending: Promise<T>;
    try {
      pending = fn({ signal: own.signal });
    } catch (error) {
      end(judge(classify, error, 'failure'), () => reject(error));
      return;
    }
    Promise.resolve(pending).then(
      (value) => end(judge(classify, value, 'success'), () => resolve(value)),
      (error: unknown) => end(judge(classify, error, 'failure'), () => reject(error)),
    );
  });
}
