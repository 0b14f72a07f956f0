/**
 * The serialized bytes of replies, for the response cache.
 *
 * An interceptor sees replies only after grpc-js has deserialized them, and its
 * `method_definition` carries `responseDeserialize` but no `responseSerialize`. grpc-js makes that
 * definition object afresh for every call (`Client.makeUnaryRequest` and its siblings) and the
 * call at the bottom of the chain deserializes with the very same object. So a caching call puts
 * a wrapper in its own definition's `responseDeserialize` before the call goes down: the wrapper
 * deserializes as before and notes which bytes each message object came from. The cache then
 * stores those bytes (their exact size counts against its bound) and every hit deserializes a
 * fresh copy: no caller ever holds an object another caller can reach.
 *
 * A message whose bytes were not seen (an interceptor below replaced it, or an interceptor above
 * handed down a definition of its own) has none: it is not cached.
 */
import type { InterceptorOptions } from '@grpc/grpc-js';

type Deserialize = (bytes: Buffer) => unknown;

const ORIGINAL = Symbol('rpc-breaker.reply-bytes.original');

type Wrapper = Deserialize & { [ORIGINAL]?: Deserialize };

/** Message object → the bytes it was deserialized from. */
const bytesOf = new WeakMap<object, Buffer>();
/** One wrapper per original deserializer (they are shared by every call of a method). */
const wrappers = new WeakMap<Deserialize, Deserialize>();

/** Makes the call's definition note the bytes of each reply it deserializes. */
export function captureReplyBytes(definition: InterceptorOptions['method_definition']): void {
  const original = definition.responseDeserialize as Wrapper;
  if (typeof original !== 'function' || original[ORIGINAL]) return;
  let wrapper = wrappers.get(original);
  if (!wrapper) {
    const w: Wrapper = (bytes: Buffer) => {
      const message = original(bytes);
      if (typeof message === 'object' && message !== null && Buffer.isBuffer(bytes))
        bytesOf.set(message, bytes);
      return message;
    };
    w[ORIGINAL] = original;
    wrappers.set(original, w);
    wrapper = w;
  }
  (definition as { responseDeserialize: Deserialize }).responseDeserialize = wrapper;
}

/**
 * The bytes `message` was deserialized from, as a buffer of its own (never a view into a
 * larger network chunk), or undefined when they were not seen. Forgets them.
 */
export function takeReplyBytes(message: unknown): Buffer | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const seen = bytesOf.get(message);
  if (!seen) return undefined;
  bytesOf.delete(message);
  const own = Buffer.allocUnsafeSlow(seen.length);
  seen.copy(own);
  return own;
}

/**
 * A fresh message from stored bytes, made by the caller's own deserializer (unwrapped, so that
 * the hit is not noted). It gets a copy of the bytes: a deserializer may keep views into its
 * input (protobufjs does for `bytes` fields), and the stored bytes must stay out of reach.
 */
export function replyFromBytes(
  definition: InterceptorOptions['method_definition'],
  bytes: Buffer,
): unknown {
  const d = definition.responseDeserialize as Wrapper;
  return (d[ORIGINAL] ?? d)(Buffer.from(bytes));
}
