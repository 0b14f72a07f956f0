/**
 * The interceptor's view of a method's fallback: an adapter over `createMethodFallback` (src/fallback)
 * that knows gRPC's side of it.
 *
 * Cache key (fixed when the request is sent, so a request changed later keys nothing): the method
 * path, the request's serialized bytes, the values of the credential metadata (`authorization`,
 * `cookie`, `x-api-key`, `keyMetadata`) and the identity of the call's `CallOptions.credentials`
 * object (grpc-js adds what call credentials produce below the interceptor: the object is all an
 * interceptor can see of them, so each object is a partition of its own). The cache itself belongs
 * to one interceptor. A reply that came over a secure channel is cached only with
 * `channelIdentity: 'per-interceptor'` (see `FallbackOptions`): a channel's own identity is
 * invisible here.
 *
 * What is stored is the reply's serialized bytes (see reply-bytes.ts), counted at their exact size;
 * every hit deserializes a fresh message.
 */
import type { InterceptorOptions, Metadata } from '@grpc/grpc-js';
import type { CallContext } from '../classify/call-context.js';
import type { Clock } from '../core/clock.js';
import { createMethodFallback, deriveCacheKey } from '../fallback/index.js';
import type { ChainCall } from './call-types.js';
import type { GrpcMethodPolicy } from './options.js';
import { replyFromBytes, takeReplyBytes } from './reply-bytes.js';

/** A fallback answer: where it came from and the message (or, for a stream, the messages). */
export interface FallbackAnswer {
  kind: 'cache' | 'value';
  value: unknown;
  /** How old a cached entry is, ms (sent as `x-fallback-age-ms`). */
  ageMs?: number;
}

/** The call a fallback is asked about: gives its cache key and context when needed. */
export interface FallbackCall {
  /** The response-cache key, derived when the request was sent. */
  cacheKey(): string;
  /** Whether the request still has the bytes it was keyed by (a retry re-sends the object). */
  requestUnchanged(): boolean;
  /** The context handed to a value function. */
  callContext(): CallContext;
  /** The call's method definition (its `responseDeserialize` makes each hit's copy). */
  readonly definition: InterceptorOptions['method_definition'];
}

/** What the calls need from a method's fallback. */
export interface FallbackPort {
  /** Successful responses are remembered (a `cache` is configured). */
  readonly caches: boolean;
  /** Failed calls are answered too, not only rejected ones (`serveOn: 'open-or-failure'`). */
  readonly onFailure: boolean;
  /** Metadata keys whose values are part of the cache key and hidden from callbacks. */
  readonly credentialKeySet: ReadonlySet<string>;
  /**
   * The cache key of a request: its serialized bytes, the caller's credential metadata and the
   * identity of its call credentials object.
   */
  keyOf(requestBytes: Uint8Array, metadata: Metadata | undefined, callCredentials: unknown): string;
  /** Remembers the reply of a unary call that ended OK over `transport`. */
  rememberReply(call: FallbackCall, reply: unknown, transport: ChainCall): void;
  /** Remembers the messages (their bytes, see `takeReplyBytes`) of a server stream that ended OK. */
  rememberStream(call: FallbackCall, messages: readonly Buffer[], transport: ChainCall): void;
  /** The fallback answer for a rejected (`open`) or failed call, if any. */
  serve(
    reason: 'open' | 'failure',
    call: FallbackCall,
  ): FallbackAnswer | undefined | Promise<FallbackAnswer | undefined>;
}

/** What the cache keeps for a call: one reply's bytes, or a stream's. */
type Stored = { reply: Buffer } | { stream: readonly Buffer[] };

/** Bytes counted per message of a cached stream, besides its own. */
const STREAM_MESSAGE_OVERHEAD = 96;

/**
 * The fallback of a method, or undefined when it has none. A method marked `idempotent: false`
 * keeps its value fallback but never caches: replaying a write's old reply would be a lie.
 */
export function createFallbackPort(
  policy: GrpcMethodPolicy,
  path: string,
  clock: Clock,
): FallbackPort | undefined {
  const fallback = createMethodFallback(policy.fallback, policy.idempotent, clock);
  if (!fallback) return undefined;
  const names = fallback.credentialNames;
  const secureToo = fallback.cachesSecureChannels;
  /** Whether a reply that came over `transport` may be cached. */
  const cacheable = (call: FallbackCall, transport: ChainCall): boolean =>
    (secureToo || isInsecure(transport)) && call.requestUnchanged();
  return {
    caches: fallback.hasCache,
    onFailure: fallback.servesFailures,
    credentialKeySet: new Set(names),
    keyOf(requestBytes, metadata, callCredentials) {
      const pairs: Array<[string, string | Uint8Array]> = [];
      for (const name of names) {
        for (const v of metadata?.get(name) ?? []) pairs.push([name, v]);
      }
      // `#` cannot start a metadata key, so this part never collides with one.
      if (callCredentials) pairs.push(['#call-credentials', partitionOf(callCredentials)]);
      return deriveCacheKey(path, requestBytes, pairs);
    },
    rememberReply(call, reply, transport) {
      const bytes = takeReplyBytes(reply);
      if (!bytes || !cacheable(call, transport)) return;
      const stored: Stored = { reply: bytes };
      fallback.remember(call.cacheKey(), stored, bytes.length);
    },
    rememberStream(call, messages, transport) {
      if (!cacheable(call, transport)) return;
      let size = 0;
      for (const m of messages) size += m.length + STREAM_MESSAGE_OVERHEAD;
      const stored: Stored = { stream: messages };
      fallback.remember(call.cacheKey(), stored, size);
    },
    serve(reason, call) {
      const key = fallback.hasCache ? call.cacheKey() : undefined;
      const found = fallback.serve(call.callContext(), reason, key, undefined);
      if (!found || found instanceof Promise || found.kind !== 'cache') return found;
      const stored = found.value as Stored;
      const value =
        'reply' in stored
          ? replyFromBytes(call.definition, stored.reply)
          : stored.stream.map((b) => replyFromBytes(call.definition, b));
      return { kind: 'cache', value, ageMs: found.ageMs };
    },
  };
}

/**
 * Whether the attempt ran over a channel known to be insecure: grpc-js gives an empty auth
 * context for a plaintext transport and `transportSecurityType: 'ssl'` for TLS; no context at all
 * (the call never reached a transport) counts as not known.
 */
function isInsecure(transport: ChainCall): boolean {
  const auth = transport.getAuthContext() as { transportSecurityType?: unknown } | null;
  return auth !== null && auth !== undefined && auth.transportSecurityType === undefined;
}

const partitions = new WeakMap<object, string>();
let nextPartition = 0;

/** A number of its own for each call credentials object (held weakly). */
function partitionOf(credentials: unknown): string {
  if (typeof credentials !== 'object' || credentials === null) return `#${String(credentials)}`;
  let id = partitions.get(credentials);
  if (id === undefined) {
    id = String(++nextPartition);
    partitions.set(credentials, id);
  }
  return id;
}
