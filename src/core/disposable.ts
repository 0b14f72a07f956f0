/**
 * Handles for explicit resource management (`using` / `await using`, TypeScript 5.2+).
 *
 * Node 20.19 defines `Symbol.dispose` and `Symbol.asyncDispose`; where a runtime does not, the
 * symbols registered under the same names are used, as TypeScript's downlevel helpers and the
 * common polyfills do. Nothing global is patched.
 */

/** `Symbol.dispose`, or the registered `Symbol.for('Symbol.dispose')` where it is missing. */
export const DISPOSE: typeof Symbol.dispose =
  Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/** `Symbol.asyncDispose`, or `Symbol.for('Symbol.asyncDispose')` where it is missing. */
export const ASYNC_DISPOSE: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

/**
 * What every `onX` listener registration and every metrics registration returns: `dispose()`
 * stops it, and so does leaving the block of a `using` declaration (`[Symbol.dispose]`). Disposing
 * twice is harmless. It is a (global) `Disposable`.
 */
export interface DisposableHandle {
  /** Stops what the handle was returned for. */
  dispose(): void;
  /** The same as `dispose()`, for `using`. */
  [Symbol.dispose](): void;
}

/** A `DisposableHandle` whose `dispose()` and `[Symbol.dispose]()` both run `stop`. */
export function disposableHandle(stop: () => void): DisposableHandle {
  return { dispose: stop, [DISPOSE]: stop };
}
