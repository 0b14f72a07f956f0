/**
 * Cache keys for last-known-good answers. A key is a SHA-256 over an unambiguous encoding
 * (every part length-prefixed) of the method, the request's canonical bytes, and the values of
 * the caller's credential metadata, sorted by name. So a response cached for one caller's
 * credentials can never be served to another, and no raw credential is kept: only the digest.
 */
import { hash } from 'node:crypto';

/** Metadata whose values always take part in a cache key. */
export const CREDENTIAL_METADATA: readonly string[] = Object.freeze([
  'authorization',
  'cookie',
  'x-api-key',
]);

/** The metadata names (lower-cased, without duplicates) whose values key the cache. */
export function credentialNames(keyMetadata?: readonly string[]): string[] {
  return [...new Set([...CREDENTIAL_METADATA, ...(keyMetadata ?? []).map((k) => k.toLowerCase())])];
}

/**
 * @param method the RPC method (gRPC path or Thrift method name)
 * @param requestBytes the request's canonical serialized bytes
 * @param credentialValues `[name, value]` pairs of the credential metadata present on the call
 * @returns a base64url digest
 */
export function deriveCacheKey(
  method: string,
  requestBytes: Uint8Array,
  credentialValues: ReadonlyArray<readonly [name: string, value: string | Uint8Array]> = [],
): string {
  const creds =
    // Stryker disable next-line ConditionalExpression: → true only sorts a copy of 0 or 1 pairs, which changes nothing
    credentialValues.length >= 2 ? [...credentialValues].sort(byName) : credentialValues;
  let size = 8 + Buffer.byteLength(method) + requestBytes.length;
  for (const [name, value] of creds) size += 8 + Buffer.byteLength(name) + Buffer.byteLength(value);
  // One buffer, one one-shot hash: a fraction of the cost of a streaming Hash object.
  const buf = Buffer.allocUnsafe(size);
  let at = put(buf, 0, method);
  at = put(buf, at, requestBytes);
  for (const [name, value] of creds) at = put(buf, put(buf, at, name.toLowerCase()), value);
  return hash('sha256', buf, 'base64url');
}

/** Orders credential pairs by name; pairs of one name keep their order (the sort is stable). */
function byName(a: readonly [string, unknown], b: readonly [string, unknown]): number {
  if (a[0] < b[0]) return -1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: V8's sort only asks whether the result is < 0, so 1 and 0 give the same order
  return a[0] > b[0] ? 1 : 0;
}

/** Writes `v` length-prefixed at `at`; returns the offset after it. */
function put(buf: Buffer, at: number, v: string | Uint8Array): number {
  if (typeof v === 'string') {
    // Stryker disable next-line StringLiteral: '' also means utf8 to Buffer.write
    const n = buf.write(v, at + 4, 'utf8');
    buf.writeUInt32BE(n, at);
    return at + 4 + n;
  }
  buf.writeUInt32BE(v.length, at);
  buf.set(v, at + 4);
  return at + 4 + v.length;
}

/**
 * A cache key over a request given as canonical text, with no credential values (Thrift: the
 * arguments' canonical text, see src/thrift/args-key.ts). The same SHA-256 digest as
 * `deriveCacheKey`, hashed from the string directly: the method is length-prefixed, so no two
 * (method, text) pairs share an input, and no raw argument is kept. About a third of the cost of
 * encoding the text into a buffer first (one call of Node's one-shot hash, no allocation).
 * @returns a base64url digest
 */
export function deriveTextCacheKey(method: string, requestText: string): string {
  return hash('sha256', `${method.length}:${method}${requestText}`, 'base64url');
}
