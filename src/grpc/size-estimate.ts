/**
 * An approximate size in bytes of a deserialized reply, which the response cache counts against
 * its byte bound. A grpc-js interceptor sees replies only after deserialization (the method's
 * response serializer is not available to it), so the size is estimated from the object: string
 * lengths, buffer lengths, 8 bytes per number and a small overhead per field. The walk is bounded
 * (`MAX_NODES`), so a huge reply costs a bounded amount of time and counts as at least that much.
 */

/** Most values visited for one estimate. */
export const MAX_NODES = 10_000;

/** Approximate size of `value` in bytes (≥ 1). */
export function approximateSize(value: unknown): number {
  let nodes = 0;
  let bytes = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && nodes < MAX_NODES) {
    const v = stack.pop();
    nodes++;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'bigint') bytes += 8;
    else if (typeof v === 'boolean') bytes += 1;
    else if (v instanceof Uint8Array) bytes += v.byteLength + 2;
    else if (Array.isArray(v)) {
      bytes += 2;
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const k in v) {
        bytes += 2;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return Math.max(1, bytes);
}
