/**
 * A rough size in bytes of a Thrift reply, for the response cache's byte bound: strings count
 * their UTF-16 length, binaries their bytes, numbers and booleans 8, containers the sum of their
 * items plus a little. Walks at most `MAX_NODES` values, so a huge reply costs a bounded time
 * (and is then reported as at least that large).
 */

const MAX_NODES = 10_000;

/** Approximate size of `value` in bytes; at least 1. Never throws. */
export function approximateSize(value: unknown): number {
  const budget = { nodes: MAX_NODES };
  return Math.max(1, size(value, budget, 0));
}

function size(v: unknown, budget: { nodes: number }, depth: number): number {
  if (budget.nodes-- <= 0 || depth > 64) return 0;
  switch (typeof v) {
    case 'string':
      return 2 * v.length;
    case 'number':
    case 'boolean':
    case 'bigint':
      return 8;
    case 'object':
      break;
    default:
      return 0;
  }
  if (v === null) return 0;
  if (v instanceof Uint8Array) return v.byteLength;
  let total = 16;
  if (Array.isArray(v)) {
    for (const x of v) total += size(x, budget, depth + 1);
  } else if (v instanceof Map) {
    for (const [k, x] of v) total += size(k, budget, depth + 1) + size(x, budget, depth + 1);
  } else if (v instanceof Set) {
    for (const x of v) total += size(x, budget, depth + 1);
  } else {
    for (const k in v)
      total += k.length + size((v as Record<string, unknown>)[k], budget, depth + 1);
  }
  return total;
}
