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
  const parts: Uint8Array[] = [];
  push(parts, method);
  push(parts, requestBytes);
  const creds =
    credentialValues.length > 1
      ? [...credentialValues].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      : credentialValues;
  for (const [name, value] of creds) {
    push(parts, name.toLowerCase());
    push(parts, value);
  }
  // One-shot hashing of one buffer costs a fraction of a streaming Hash object.
  return hash('sha256', Buffer.concat(parts), 'base64url');
}

function push(parts: Uint8Array[], v: string | Uint8Array): void {
  const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(bytes.length);
  parts.push(len, bytes);
}
