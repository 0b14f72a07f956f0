/**
 * Promise helpers over grpc-js calls that record everything a caller can observe: the callback's
 * error or value, the `metadata` event and the `status` event.
 */
import * as grpc from '@grpc/grpc-js';

/** What a caller saw of one unary or client-streaming call. */
export interface UnaryResult<T> {
  error: grpc.ServiceError | null;
  value: T | undefined;
  /** Response metadata from the `metadata` event, if it fired. */
  metadata: grpc.Metadata | undefined;
  /** The `status` event. */
  status: grpc.StatusObject;
  /** Whether the callback ran before `client.Method()` returned (it must not). */
  synchronous: boolean;
}

/** Starts a unary-response call with `start(cb)` and waits for both its callback and its status. */
export function unary<T>(
  start: (
    cb: (e: grpc.ServiceError | null, v?: T) => void,
  ) => grpc.ClientUnaryCall | grpc.ClientWritableStream<any>,
  during?: (call: grpc.ClientUnaryCall | grpc.ClientWritableStream<any>) => void,
): Promise<UnaryResult<T>> {
  return new Promise((resolve) => {
    let returned = false;
    let synchronous = false;
    let done: { e: grpc.ServiceError | null; v: T | undefined } | undefined;
    let status: grpc.StatusObject | undefined;
    let metadata: grpc.Metadata | undefined;
    const finish = () => {
      if (done && status) resolve({ error: done.e, value: done.v, metadata, status, synchronous });
    };
    const call = start((e, v) => {
      if (!returned) synchronous = true;
      done = { e, v };
      finish();
    });
    returned = true;
    call.on('metadata', (md: grpc.Metadata) => (metadata = md));
    call.on('status', (s: grpc.StatusObject) => {
      status = s;
      finish();
    });
    during?.(call);
  });
}

/** What a caller saw of a streaming-response call. */
export interface StreamResult<T> {
  messages: T[];
  error: grpc.ServiceError | undefined;
  metadata: grpc.Metadata | undefined;
  status: grpc.StatusObject;
}

/** Reads a response stream to its end (status). */
export function readStream<T>(
  stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<any, T>,
  onMessage?: (m: T, i: number) => void,
): Promise<StreamResult<T>> {
  return new Promise((resolve) => {
    const messages: T[] = [];
    let error: grpc.ServiceError | undefined;
    let metadata: grpc.Metadata | undefined;
    stream.on('metadata', (md: grpc.Metadata) => (metadata = md));
    stream.on('data', (m: T) => {
      messages.push(m);
      onMessage?.(m, messages.length - 1);
    });
    stream.on('error', (e: grpc.ServiceError) => (error = e));
    stream.on('status', (status: grpc.StatusObject) => {
      // 'status' comes after 'error'/'end' handlers have run for the same event loop turn.
      setImmediate(() => resolve({ messages, error, metadata, status }));
    });
  });
}

/** Metadata holding the given string pairs. */
export function md(pairs: Record<string, string> = {}): grpc.Metadata {
  const m = new grpc.Metadata();
  for (const [k, v] of Object.entries(pairs)) m.set(k, v);
  return m;
}

/** The first string value of `key` in `m`, if any. */
export function header(m: grpc.Metadata | undefined, key: string): string | undefined {
  const v = m?.get(key)[0];
  return v === undefined ? undefined : String(v);
}

/** Waits until `cond()` holds, polling every 5 ms; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
