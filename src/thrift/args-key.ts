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
  const parts: string[] = [];
  const seen = new Set<object>();
  write(args, parts, seen);
  return parts.join('');
}

function write(v: unknown, out: string[], seen: Set<object>): void {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'number':
      out.push(Number.isFinite(v) ? String(v) : `#n${String(v)}`);
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(`#i${v.toString()}`);
      return;
    case 'undefined':
      out.push('#u');
      return;
    case 'object':
      break;
    default:
      // Functions and symbols are not Thrift data; keep their kind so keys stay distinct.
      out.push(`#${typeof v}`);
      return;
  }
  if (v === null) {
    out.push('null');
    return;
  }
  if (seen.has(v)) {
    out.push('#cycle');
    return;
  }
  seen.add(v);
  if (v instanceof Uint8Array) {
    out.push(`#b${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`);
  } else if (Array.isArray(v)) {
    writeList('[', v, out, seen);
  } else if (v instanceof Set) {
    writeList('#s[', [...v].map((x) => canonical(x)).sort(), out, seen, true);
  } else if (v instanceof Map) {
    const entries = [...v].map(([k, x]) => `${canonical(k)}:${canonical(x)}`).sort();
    out.push(`#m{${entries.join(',')}}`);
  } else if (isInt64(v)) {
    out.push(`#i${v.toOctetString()}`);
  } else {
    const keys = Object.keys(v).sort();
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write((v as Record<string, unknown>)[k], out, seen);
    });
    out.push('}');
  }
  seen.delete(v);
}

function writeList(
  open: string,
  items: readonly unknown[],
  out: string[],
  seen: Set<object>,
  raw = false,
): void {
  out.push(open);
  items.forEach((x, i) => {
    if (i > 0) out.push(',');
    if (raw) out.push(x as string);
    else write(x, out, seen);
  });
  out.push(']');
}

function canonical(v: unknown): string {
  return serializeArgs([v]).slice(1, -1);
}

/** node-int64 (npm thrift's i64): an 8-byte buffer with `toOctetString()`. */
function isInt64(v: object): v is { toOctetString(): string } {
  const o = v as { buffer?: unknown; toOctetString?: unknown };
  return o.buffer instanceof Uint8Array && typeof o.toOctetString === 'function';
}
