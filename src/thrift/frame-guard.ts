/**
 * A guard on npm thrift's framed transport against frame lengths no sane peer sends.
 *
 * npm thrift 0.24's `TFramedTransport.receiver` checks a frame's 4-byte length only when it is
 * given a maximum, and the connections never give one. A negative length (bytes `ff ff ff fc`)
 * then makes it "consume" the frame without moving forward and loop on the same bytes for ever,
 * blocking the event loop, so no deadline can fire; a huge positive one makes it wait for
 * gigabytes that never come, and every later reply on the connection is swallowed into that
 * frame. (npm thrift's own maximum is no cure: it throws from the socket's `data` listener, an
 * uncaught exception.)
 *
 * The guard follows the frame boundaries of the incoming byte stream alongside npm thrift and
 * passes the bytes on unchanged, except that the 1–3 bytes of a length split across two packets
 * are held back until the length is whole (npm thrift could not use them before then anyway).
 * When a length is out of [0, max], the bytes from that length on are dropped, the connection
 * emits `error` with a `ThriftFrameError` (the watch fails the pending calls with it, as a
 * transport failure) and its socket is destroyed, so it closes (or reconnects, when configured):
 * the stream is out of step and cannot be trusted again. A TCP connection is guarded by wrapping
 * the socket's `data` listener npm thrift installed; an HTTP connection (each response body is
 * decoded on its own) by a transport class whose receiver checks first.
 *
 * The guard must start at a frame boundary, so it is installed only on a connection that has not
 * connected yet or has no reply pending; wrap the client before calling it.
 */

/** npm thrift's default maximum frame size, used when the transport class does not say. */
export const DEFAULT_MAX_FRAME_BYTES = 16_384_000;

const FRAME_ERROR_BRAND = Symbol.for('rpc-breaker.ThriftFrameError');

/** The peer sent a frame length outside [0, maxFrameBytes]; the connection was dropped. */
export class ThriftFrameError extends Error {
  /** Stable error code, `'THRIFT_BAD_FRAME'`. */
  readonly code = 'THRIFT_BAD_FRAME' as const;

  constructor(
    /** The length the peer sent. */
    readonly frameBytes: number,
    /** The largest length accepted. */
    readonly maxFrameBytes: number,
  ) {
    super(
      `thrift framed transport: the peer sent a frame length of ${frameBytes} ` +
        `(allowed 0..${maxFrameBytes}); the connection was dropped`,
    );
    this.name = 'ThriftFrameError';
    Object.defineProperty(this, FRAME_ERROR_BRAND, { value: true });
  }
}

/** True when `e` is a `ThriftFrameError` from any copy of rpc-breaker. */
export function isThriftFrameError(e: unknown): e is ThriftFrameError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[FRAME_ERROR_BRAND] === true
  );
}

type DataListener = (chunk: Buffer) => void;

interface TransportClass {
  new (...args: any[]): object;
  receiver(callback: (...args: any[]) => void, seqid?: unknown): DataListener;
  DEFAULT_MAX_LENGTH?: unknown;
}

interface Emitter {
  on(event: string, listener: (...args: any[]) => void): unknown;
  listeners(event: string): Array<(...args: any[]) => void>;
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  listenerCount(event: string): number;
  emit(event: string, ...args: unknown[]): boolean;
}

interface ConnectionInternals extends Emitter {
  transport?: unknown;
  connected?: unknown;
  connection?: unknown;
  client?: { _reqs?: object };
  nodeOptions?: unknown;
}

const guarded = new WeakSet<object>();

/**
 * Guards `connection` when its transport is npm thrift's `TFramedTransport` (or a subclass);
 * does nothing otherwise, or when it is already guarded. Call it once an `error` listener is
 * attached: a bad frame is reported as an `error` event.
 */
export function guardFramedConnection(connection: object): void {
  const c = connection as ConnectionInternals;
  if (guarded.has(c) || typeof c.emit !== 'function') return;
  const transport = c.transport;
  if (!isFramedTransport(transport)) return;
  const max = maxFrameBytes(transport);
  const socket = c.connection;
  if (typeof c.connected === 'boolean' && isEmitter(socket)) {
    if (c.connected && Object.keys(c.client?._reqs ?? {}).length > 0) return; // mid-stream
    guarded.add(c);
    guardSocket(c, socket, max);
  } else if (c.nodeOptions !== undefined) {
    guarded.add(c);
    c.transport = guardedHttpTransport(c, transport, max);
  }
}

function guardSocket(
  c: ConnectionInternals,
  socket: Emitter & { destroy?: () => void },
  max: number,
) {
  const originals = socket.listeners('data') as DataListener[];
  for (const l of originals) socket.removeListener('data', l);
  const scanner = new FrameScanner(max);
  let broken = false;
  socket.on('data', (chunk: Buffer) => {
    if (broken) return;
    const forward = scanner.scan(chunk);
    if (forward.length > 0) for (const l of originals) l.call(socket, forward);
    if (scanner.badSize === undefined) return;
    broken = true;
    report(c, new ThriftFrameError(scanner.badSize, max));
    socket.destroy?.();
  });
  // A reconnect (npm thrift's `max_attempts`) starts a fresh stream; npm thrift's receiver holds
  // nothing of the old one, since the bytes from the bad length on never reached it.
  socket.on('connect', () => {
    if (!broken) return;
    broken = false;
    scanner.reset();
  });
}

function guardedHttpTransport(c: ConnectionInternals, base: TransportClass, max: number) {
  return class GuardedFramedTransport extends base {
    static override receiver(callback: (...args: any[]) => void, seqid?: unknown): DataListener {
      const inner = base.receiver(callback, seqid);
      const scanner = new FrameScanner(max);
      return (body: Buffer) => {
        const forward = scanner.scan(body);
        if (forward.length > 0) inner(forward);
        if (scanner.badSize !== undefined) report(c, new ThriftFrameError(scanner.badSize, max));
      };
    }
  };
}

function report(c: ConnectionInternals, error: ThriftFrameError): void {
  if (c.listenerCount('error') > 0) c.emit('error', error);
}

/**
 * Follows frame boundaries over a byte stream: `scan` returns the bytes to pass on and sets
 * `badSize` at the first length out of range.
 */
export class FrameScanner {
  /** The out-of-range length met, if any; nothing after it is passed on. */
  badSize: number | undefined;
  private bodyLeft = 0;
  private held: Buffer | undefined;

  constructor(private readonly max: number) {}

  /** Forgets the stream so far. */
  reset(): void {
    this.bodyLeft = 0;
    this.held = undefined;
    this.badSize = undefined;
  }

  /** The part of `chunk` (after any held bytes) made of well-formed frames and whole lengths. */
  scan(chunk: Buffer): Buffer {
    if (this.badSize !== undefined) return EMPTY;
    const data = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = undefined;
    const n = data.length;
    let i = 0;
    while (i < n) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, n - i);
        this.bodyLeft -= take;
        i += take;
      } else if (n - i < 4) {
        this.held = Buffer.from(data.subarray(i));
        return data.subarray(0, i);
      } else {
        const size = data.readInt32BE(i);
        if (size < 0 || size > this.max) {
          this.badSize = size;
          return data.subarray(0, i);
        }
        this.bodyLeft = size;
        i += 4;
      }
    }
    return data;
  }
}

const EMPTY = Buffer.alloc(0);

function isFramedTransport(t: unknown): t is TransportClass {
  if (typeof t !== 'function' || typeof (t as TransportClass).receiver !== 'function') return false;
  for (let f: unknown = t; typeof f === 'function'; f = Object.getPrototypeOf(f)) {
    if ((f as { name?: unknown }).name === 'TFramedTransport') return true;
  }
  return false;
}

function maxFrameBytes(t: TransportClass): number {
  const m = t.DEFAULT_MAX_LENGTH;
  return typeof m === 'number' && Number.isInteger(m) && m > 0 ? m : DEFAULT_MAX_FRAME_BYTES;
}

function isEmitter(s: unknown): s is Emitter & { destroy?: () => void } {
  const e = s as Partial<Emitter> | undefined;
  return typeof e?.listeners === 'function' && typeof e.removeListener === 'function';
}
