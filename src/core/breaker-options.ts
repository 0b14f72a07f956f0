/**
 * Validation of `new CircuitBreaker(name, policy, options)`'s name and options, read once like
 * every options object (see `readOptions`).
 */
import type { Clock } from './clock.js';
import type { CircuitObserver } from './circuit-sync.js';
import { ConfigError } from './errors.js';
import { hasMethods, readOptions } from './validate.js';

const KEYS: ReadonlySet<string> = new Set(['clock', 'observer']);
const OBSERVER_HOOKS: ReadonlySet<string> = new Set([
  'stateChange',
  'call',
  'reject',
  'probeError',
  'timing',
]);

/**
 * Checks a circuit's name and its `clock` / `observer` options.
 * @throws ConfigError naming the option and the value received
 */
export function readBreakerOptions(
  name: unknown,
  options: unknown,
): { clock: Clock | undefined; observer: Partial<CircuitObserver> | undefined } {
  if (typeof name !== 'string' || name.length === 0)
    throw new ConfigError('name', 'must be a non-empty string', name);
  const o = readOptions(options, KEYS, '', 'ignore');
  if (o.clock !== undefined && !hasMethods(o.clock, 'clock', 'now'))
    throw new ConfigError('clock', 'must have a now() method', o.clock);
  let observer: Partial<CircuitObserver> | undefined;
  if (o.observer !== undefined) {
    // Every hook is optional, but one that is present must be callable: it is called per call.
    const hooks = readOptions(o.observer, OBSERVER_HOOKS, 'observer', 'ignore');
    for (const [hook, fn] of Object.entries(hooks)) {
      if (fn !== undefined && typeof fn !== 'function')
        throw new ConfigError(`observer.${hook}`, 'must be a function', fn);
    }
    // Kept itself, not the copy: its hooks may be methods that use `this`.
    observer = o.observer as Partial<CircuitObserver>;
  }
  return { clock: o.clock as Clock | undefined, observer };
}
