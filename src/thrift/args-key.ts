/**
 * A canonical text of a Thrift call's arguments, for response-cache keys.
 *
 * Thrift arguments are plain values and generated structs (objects whose fields are set to values
 * or null), lists (arrays), sets (arrays or `Set`s), maps (plain objects or `Map`s), binaries
 * (Buffers), i64s (node-int64 objects, or bigint) and doubles. The text is JSON-like with object
 * keys sorted, so two equal argument lists always give the same text whatever order their fields
 * were set in; values JSON cannot tell apart (undefined and null, a Buffer and an array of numbers,
 * NaN) are tagged. Cycles cannot occur in Thrift data; a cyclic input is cut, not looped over.
 */

/** The canonical text of `args` (see the file's comment). Never throws. */
export function serializeArgs(args: readonly unknown[]): string {
  return text(args, new Set());
}

function text(v: unknown, seen: Set<object>): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : `#n${String(v)}`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `#i${v.toString()}`;
    case 'undefined':
      return '#u';
    case 'object':
      break;
    default:
      // Functions and symbols are not Thrift data; keep their kind so keys stay distinct.
      return `#${typeof v}`;
  }
  if (v === null) return 'null';
  if (seen.has(v)) return '#cycle';
  seen.add(v);
  let out: string;
  if (v instanceof Uint8Array) {
    out = `#b${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`;
  } else if (Array.isArray(v)) {
    out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + text(v[i], seen);
    out += ']';
  } else if (v instanceof Set) {
    out = `#s[${[...v]
      .map((x) => text(x, seen))
      .sort()
      .join(',')}]`;
  } else if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => `${text(k, seen)}:${text(x, seen)}`).sort();
    out = `#m{${entries.join(',')}}`;
  } else if (isInt64(v)) {
    out = `#i${v.toOctetString()}`;
  } else {
    const keys = Object.keys(v).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      out += `${i > 0 ? ',' : ''}${JSON.stringify(k)}:${text((v as Record<string, unknown>)[k], seen)}`;
    }
    out += '}';
  }
  seen.delete(v);
  return out;
}

/** node-int64 (npm thrift's i64): an 8-byte buffer with `toOctetString()`. */
function isInt64(v: object): v is { toOctetString(): string } {
  const o = v as { buffer?: unknown; toOctetString?: unknown };
  return o.buffer instanceof Uint8Array && typeof o.toOctetString === 'function';
}
