/**
 * A circuit asked for with a policy other than the one it was created with.
 *
 * `registry.get(name, policy)` creates a circuit with `policy` the first time and returns it
 * unchanged afterwards, so a second, different policy for the same name is not applied: two
 * adapters (or two wrapped clients) sharing a registry and a circuit name, or a `circuitName`
 * mapping two methods with different circuit policies onto one circuit. Sharing one circuit is
 * legitimate, so this is not an error; but a policy silently ignored is a surprise, so the first
 * conflict per circuit is reported as a process warning (printed to stderr by default, heard
 * with `process.on('warning')`), with code `RPC_BREAKER_POLICY_CONFLICT`, naming the options that
 * differ. Policies are compared by value (a `halfOpenProbe` by identity), so equal policies
 * written twice never warn.
 */
import type { ResolvedCircuitPolicy } from '../core/policy.js';

/** Code of the process warning for a policy conflict. */
export const POLICY_CONFLICT_WARNING = 'RPC_BREAKER_POLICY_CONFLICT';

/** The options in which two resolved policies differ (empty when they are equal). */
export function policyDifferences(a: ResolvedCircuitPolicy, b: ResolvedCircuitPolicy): string[] {
  // Stryker disable next-line ConditionalExpression: a policy never differs from itself
  if (a === b) return [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    if (!sameValue((a as never)[k], (b as never)[k])) out.push(k);
  }
  return out;
}

function sameValue(x: unknown, y: unknown): boolean {
  if (Object.is(x, y)) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  return kx.every((k) => Object.is((x as never)[k], (y as never)[k]));
}

/** Reports a conflict for circuit `name` as a process warning. */
export function warnPolicyConflict(name: string, differences: readonly string[]): void {
  process.emitWarning(
    `rpc-breaker: circuit ${JSON.stringify(name)} already exists with a different policy ` +
      `(differs in ${differences.join(', ')}); the policy given now is ignored. Give each ` +
      'distinct policy its own circuit name, or the same policy to every user of the circuit.',
    { type: 'RpcBreakerWarning', code: POLICY_CONFLICT_WARNING },
  );
}
