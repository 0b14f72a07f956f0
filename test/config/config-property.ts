/**
 * The property of issue #12: a call with fuzzed options either returns, or throws a
 * `ConfigError` (by brand and by class) whose message starts with the option path it names. A
 * ConfigError may carry a `cause` only when that cause is what a hostile getter threw. Anything
 * else — a TypeError, a RangeError, the getter's own error escaping, a polluted
 * `Object.prototype`, a call that never settles — fails the property.
 */
import { ConfigError, isConfigError } from '../../src/core/errors.js';
import { HostileReadError, POLLUTION } from './hostile-options.js';

/** Fails unless `e` is a ConfigError naming its option (and caused, if at all, by a hostile read). */
export function assertConfigError(e: unknown): asserts e is ConfigError {
  if (!isConfigError(e) || !(e instanceof ConfigError)) throw e;
  if (typeof e.path !== 'string' || e.path === '' || !e.message.startsWith(`${e.path} `))
    throw new Error(`ConfigError without a named option: ${e.message}`);
  const cause = (e as { cause?: unknown }).cause;
  if (cause !== undefined && !(cause instanceof HostileReadError))
    throw new Error(`ConfigError caused by ${String(cause)}`, { cause });
}

/** Fails if a hostile value reached `Object.prototype`. */
export function assertNoPollution(): void {
  if (POLLUTION in Object.prototype) {
    delete (Object.prototype as Record<string, unknown>)[POLLUTION];
    throw new Error('Object.prototype was polluted');
  }
}

/**
 * The property: `f()` returns (its value is returned), or throws a ConfigError that names an
 * option (then `undefined` is returned). Anything else is rethrown, failing the property.
 */
export function acceptedOrConfigError<T>(f: () => T): { value: T } | undefined {
  try {
    const value = f();
    assertNoPollution();
    outcomes.accepted++;
    return { value };
  } catch (e) {
    assertNoPollution();
    assertConfigError(e);
    outcomes.rejected++;
    noteReason(e);
    return undefined;
  }
}

/** Why options were rejected, by message (FUZZ_VERBOSE=1 prints them, to tune generators). */
const reasons = new Map<string, number>();

function noteReason(e: ConfigError): void {
  if (!process.env.FUZZ_VERBOSE) return;
  const reason = e.message.split(';')[0]!.replace(/\[\d+\]/g, '[i]');
  reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
}

/** How many calls `acceptedOrConfigError` saw accepted and rejected since the last check. */
const outcomes = { accepted: 0, rejected: 0 };

/**
 * Fails unless at least `minShare` of the calls since the last check were accepted and as many
 * rejected: a generator that only ever produces rejected options would test nothing past the
 * first check. Resets the counts.
 */
export function expectBothOutcomes(minShare = 0.02): void {
  const { accepted, rejected } = outcomes;
  outcomes.accepted = outcomes.rejected = 0;
  const total = accepted + rejected;
  if (process.env.FUZZ_VERBOSE)
    console.log(
      `accepted ${accepted} / ${total}`,
      [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 25),
    );
  reasons.clear();
  if (accepted < total * minShare || rejected < total * minShare)
    throw new Error(`accepted ${accepted} and rejected ${rejected} of ${total} calls`);
}

/** Like `acceptedOrConfigError` for a call that may also reject: waits at most `boundMs`. */
export async function settlesOrConfigError<T>(
  f: () => Promise<T>,
  boundMs = 1_000,
): Promise<{ value: T } | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${boundMs} ms`)), boundMs);
  });
  try {
    const value = await Promise.race([f(), hang]);
    outcomes.accepted++;
    return { value };
  } catch (e) {
    assertConfigError(e);
    outcomes.rejected++;
    noteReason(e);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits for the first call made under accepted options: it must settle within `boundMs`, and a
 * rejection must be an answer about the call (a timeout, a transport error, an open circuit),
 * never a TypeError / RangeError from the configuration or a ConfigError that the constructor
 * should have thrown. Only what a user function returns (e.g. `circuitName`, whose result cannot
 * be known before a call) may be a ConfigError then: `checkedAtCall` names such paths.
 */
export async function firstCallSettles(
  call: () => Promise<unknown>,
  checkedAtCall: readonly string[] = [],
  boundMs = 2_000,
) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`first call hung for ${boundMs} ms`)), boundMs);
  });
  try {
    await Promise.race([call(), hang]);
    if (process.env.FUZZ_VERBOSE) console.log('first call: answered');
  } catch (e) {
    if (process.env.FUZZ_VERBOSE) console.log(`first call: ${String(e)}`);
    if (isConfigError(e) && checkedAtCall.some((p) => e.path.startsWith(p))) return;
    if (isConfigError(e) || e instanceof TypeError || e instanceof RangeError) throw e;
    if (e instanceof Error && e.message.startsWith('first call hung')) throw e;
  } finally {
    clearTimeout(timer);
  }
}
