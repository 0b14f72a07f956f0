/**
 * Private copies of cached replies, for adapters that cannot keep a reply's serialized bytes
 * (Thrift: npm thrift hands the wrapper the decoded value, never the bytes).
 *
 * A reply is copied when it is remembered (the caller that received it may change it later) and
 * again on every cache hit (each caller gets its own). The copy is deep and keeps prototypes, so
 * generated structs keep their methods and node-int64 values stay Int64s: objects are rebuilt
 * from their own enumerable properties on the same prototype, arrays, Maps and Sets item by item,
 * Buffers and typed arrays byte by byte, Dates by time. Primitives and functions are shared (they
 * cannot be changed). Decoded Thrift data is a tree; a value nested deeper than `MAX_DEPTH` (or a
 * cycle) is refused rather than copied.
 *
 * While copying for the cache, the copy's heap size is summed as an upper bound for the cache's
 * byte limit, over every value of the reply (no sampling, no budget): 64-bit V8 with
 * uncompressed pointers, strings at two bytes per character, every number boxed.
 */

/** Deepest nesting copied; deeper values are not cached. */
export const MAX_DEPTH = 200;

/** A private copy and an upper bound of its heap size, bytes. */
export interface MeasuredCopy {
  value: unknown;
  bytes: number;
}

class TooDeep extends Error {}

/**
 * A deep copy of `value` for the cache with its size, or undefined when it nests deeper than
 * `MAX_DEPTH` (then it is not cached). Binaries get memory of their own (not a pool slice).
 */
export function copyForCache(value: unknown): MeasuredCopy | undefined {
  const acc = { bytes: 0 };
  try {
    return { value: copy(value, 0, acc), bytes: acc.bytes };
  } catch (e) {
    if (e instanceof TooDeep) return undefined;
    throw e;
  }
}

/** A deep copy of a value `copyForCache` accepted, for one caller. */
export function copyValue(value: unknown): unknown {
  return copy(value, 0, undefined);
}

/** Heap bytes counted per kind of value (upper bounds on 64-bit V8). */
const OBJECT = 32;
const PROPERTY = 16;
const ARRAY = 32;
const SLOT = 8;
const STRING = 24;
const NUMBER = 16;
const BINARY = 96;
const MAP_ENTRY = 40;

function copy(v: unknown, depth: number, acc: { bytes: number } | undefined): unknown {
  switch (typeof v) {
    case 'string':
      if (acc) acc.bytes += STRING + 2 * v.length;
      return v;
    case 'number':
    case 'bigint':
      if (acc) acc.bytes += NUMBER;
      return v;
    case 'object':
      break;
    default:
      return v; // boolean, undefined, symbol, function: nothing to copy (the slot is counted)
  }
  if (v === null) return v;
  if (depth > MAX_DEPTH) throw new TooDeep();
  const d = depth + 1;
  if (ArrayBuffer.isView(v)) return copyBinary(v, acc);
  if (Array.isArray(v)) {
    // Stryker disable next-line ArrayDeclaration: an empty array filled up to v.length is the same array
    const out = new Array<unknown>(v.length);
    if (acc) acc.bytes += ARRAY + SLOT * v.length;
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i], d, acc);
    return out;
  }
  if (v instanceof Map) {
    const out = new Map<unknown, unknown>();
    if (acc) acc.bytes += OBJECT + MAP_ENTRY * v.size;
    for (const [k, x] of v) out.set(copy(k, d, acc), copy(x, d, acc));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set<unknown>();
    if (acc) acc.bytes += OBJECT + MAP_ENTRY * v.size;
    for (const x of v) out.add(copy(x, d, acc));
    return out;
  }
  if (v instanceof Date) {
    if (acc) acc.bytes += OBJECT;
    return new Date(v.getTime());
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  // Stryker disable next-line ConditionalExpression: → false gives Object.create(Object.prototype), the same as {}
  const out: Record<string, unknown> = proto === Object.prototype ? {} : Object.create(proto);
  const src = v as Record<string, unknown>;
  const keys = Object.keys(src);
  if (acc) acc.bytes += OBJECT + PROPERTY * keys.length;
  for (const k of keys) out[k] = copy(src[k], d, acc);
  return out;
}

function copyBinary(v: ArrayBufferView, acc: { bytes: number } | undefined): unknown {
  if (acc) acc.bytes += BINARY + v.byteLength;
  if (Buffer.isBuffer(v)) {
    // For the cache: memory of its own, so a pooled slab is never held for a small binary.
    const out = acc ? Buffer.allocUnsafeSlow(v.length) : Buffer.allocUnsafe(v.length);
    v.copy(out);
    return out;
  }
  if (v instanceof DataView)
    return new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  return (v as unknown as { slice(): unknown }).slice();
}
