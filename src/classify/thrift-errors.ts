/**
 * The Thrift failure taxonomy: which category an error of a Thrift call falls in, and the
 * validation of a `failOn`/`ignore` entry.
 *
 * This layer never loads the `thrift` package (it is an optional peer dependency, and a user may
 * have several copies of it), so errors are recognised by shape, in this order:
 * 1. our own errors, by brand: `ThriftTimeoutError` → timeout, `ThriftTransportError` → transport;
 * 2. `THTTPException` (HTTP status other than 200) → transport. It must come before step 4:
 *    npm thrift makes it a subclass of `TApplicationException`;
 * 3. Node socket errors (a `code` such as `ECONNREFUSED`, or a `syscall`) → transport;
 * 4. `TApplicationException` anywhere in the prototype chain, or a non-Error rejection such as the
 *    generated `'getItem failed: unknown result'` string → application;
 * 5. `TProtocolException` → protocol;
 * 6. any other `TException` (generated IDL exceptions extend it in both `js:node` and `es6`
 *    output), or an Error whose class has the generated `read`/`write` pair → declared;
 * 7. anything else (an Error the Thrift stack threw unexpectedly) → application.
 * Class names are compared through `constructor.name` along the prototype chain (npm thrift's
 * classes are named functions), and the `name` property as a fallback.
 */
import { ConfigError } from '../core/errors.js';
import { readOption } from '../core/validate.js';
import { isThriftTimeoutError, isThriftTransportError } from './thrift-call-errors.js';

/** A category of Thrift failure. */
export type ThriftFailureCategory =
  'transport' | 'timeout' | 'application' | 'protocol' | 'declared';

/**
 * What a Thrift method policy lists in `failOn`/`ignore`: a category, or a generated exception
 * class (matched with `instanceof`), e.g. `Overloaded` from the generated `*_types` module.
 */
export type ThriftFailure = ThriftFailureCategory | (new (...args: any[]) => Error);

/** Every category, in the order of the taxonomy. */
export const THRIFT_FAILURE_CATEGORIES: readonly ThriftFailureCategory[] = Object.freeze([
  'transport',
  'timeout',
  'application',
  'protocol',
  'declared',
]);

/** Categories that count as failures unless a method's `failOn` says otherwise. */
export const DEFAULT_THRIFT_FAILURES: readonly ThriftFailureCategory[] = Object.freeze([
  'transport',
  'timeout',
  'application',
  'protocol',
]);

/** Node error codes that mean the connection or the network failed. */
const TRANSPORT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTCONN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
  'ENOENT', // a Unix socket path that does not exist
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/**
 * The category of an error (or other rejection value) of a Thrift call; see the file's comment.
 * Never throws.
 */
export function thriftFailureCategory(error: unknown): ThriftFailureCategory {
  if (isThriftTimeoutError(error)) return 'timeout';
  if (isThriftTransportError(error)) return 'transport';
  if (typeof error !== 'object' || error === null) return 'application';
  const names = classNames(error);
  if (names.has('THTTPException')) return 'transport';
  if (isSocketError(error)) return 'transport';
  if (names.has('TApplicationException')) return 'application';
  if (names.has('TProtocolException')) return 'protocol';
  if (names.has('TException') || hasStructCodec(error)) return 'declared';
  return 'application';
}

/** True when `error` is an exception declared in the IDL (a generated exception class). */
export function isDeclaredThriftException(error: unknown): boolean {
  return thriftFailureCategory(error) === 'declared';
}

/**
 * Checks one `failOn`/`ignore` entry and returns it unchanged.
 * @throws ConfigError when it is neither a category name nor an Error class
 */
export function validateThriftFailure(f: unknown, path: string): ThriftFailure {
  // Stryker disable next-line ConditionalExpression: includes() is true only for the category strings, so `typeof f === 'string'` (there for the type) decides nothing alone
  if (typeof f === 'string' && (THRIFT_FAILURE_CATEGORIES as readonly string[]).includes(f)) {
    return f as ThriftFailureCategory;
  }
  if (typeof f === 'function' && isErrorClass(readOption(f, 'prototype', path)))
    return f as ThriftFailure;
  throw new ConfigError(
    path,
    `must be one of ${THRIFT_FAILURE_CATEGORIES.map((c) => `'${c}'`).join(', ')} or a generated exception class`,
    f,
  );
}

/** True when `error` matches `f`: the same category, or an instance of the class `f`. */
export function matchesThriftFailure(
  f: ThriftFailure,
  error: unknown,
  category: ThriftFailureCategory,
): boolean {
  return typeof f === 'string' ? f === category : error instanceof f;
}

function isErrorClass(proto: unknown): boolean {
  return proto === Error.prototype || proto instanceof Error;
}

/** `constructor.name`s along the prototype chain, plus the `name` property. */
function classNames(error: object): Set<string> {
  const names = new Set<string>();
  const own = (error as { name?: unknown }).name;
  // Stryker disable next-line ConditionalExpression: a name that is not a string never equals the class names looked for
  if (typeof own === 'string') names.add(own);
  let p: object | null = Object.getPrototypeOf(error) as object | null;
  for (
    let depth = 0;
    p !== null &&
    // Stryker disable next-line ConditionalExpression: walking on into Object.prototype only adds the name 'Object', which no check looks for
    p !== Object.prototype &&
    depth < 16;
    depth++
  ) {
    const ctor = Object.getOwnPropertyDescriptor(p, 'constructor')?.value as unknown;
    if (typeof ctor === 'function' && ctor.name) names.add(ctor.name);
    p = Object.getPrototypeOf(p) as object | null;
  }
  return names;
}

function isSocketError(error: object): boolean {
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  // Stryker disable next-line ConditionalExpression: the set holds strings only, so `typeof code === 'string'` (there for the type) decides nothing alone
  if (typeof code === 'string' && TRANSPORT_CODES.has(code)) return true;
  // Node sets `syscall` on every system-call error (connect, read, write, getaddrinfo …).
  return typeof syscall === 'string' && error instanceof Error;
}

/** Generated structs and exceptions have `read(input)` and `write(output)` on their prototype. */
function hasStructCodec(error: object): boolean {
  const e = error as { read?: unknown; write?: unknown };
  return error instanceof Error && typeof e.read === 'function' && typeof e.write === 'function';
}
