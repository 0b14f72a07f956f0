/**
 * The framed-transport guard: a peer sending a frame length out of range (negative: bytes
 * `ff ff ff fc`, or absurdly large) fails the pending call at once as a transport failure and
 * drops the connection, where npm thrift alone loops for ever (negative) or swallows every later
 * reply (huge). The calls run in a child process (see helpers/bad-frame-client.ts), which the
 * test kills if it falls silent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FrameScanner, DEFAULT_MAX_FRAME_BYTES } from '../../src/thrift/frame-guard.js';
import type { ClientStyle, Es6CatalogClient } from './helpers/generated.js';
import { CatalogServer } from './helpers/catalog-server.js';
import { connectCatalog } from './helpers/clients.js';
import { errorOf, settle } from './helpers/settle.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { isThriftTransportError } from '../../src/classify/thrift-call-errors.js';
import { expectHandlesClosed } from './helpers/handles.js';

expectHandlesClosed();
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const NEGATIVE = Buffer.from([0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0]);
const HUGE = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
const frame = (body: number[]) => {
  const b = Buffer.alloc(4 + body.length);
  b.writeInt32BE(body.length, 0);
  Buffer.from(body).copy(b, 4);
  return b;
};

describe('FrameScanner', () => {
  it('passes whole frames on unchanged, zero-length ones included', () => {
    const s = new FrameScanner(100);
    const data = Buffer.concat([frame([1, 2, 3]), frame([]), frame([4])]);
    expect(s.scan(data)).toBe(data);
    expect(s.badSize).toBeUndefined();
  });

  it('follows frames across packets and holds back a length split between two', () => {
    const s = new FrameScanner(100);
    const data = Buffer.concat([frame([1, 2, 3, 4, 5]), frame([6, 7])]);
    const parts = [data.subarray(0, 3), data.subarray(3, 11), data.subarray(11)];
    const out = parts.map((p) => s.scan(p));
    expect(out[0]!.length).toBe(0); // 3 bytes of a length: held
    expect(Buffer.concat(out)).toEqual(data);
    expect(s.badSize).toBeUndefined();
  });

  it('stops at a negative length, passing on the frames before it', () => {
    const s = new FrameScanner(100);
    const good = frame([9, 9]);
    expect(s.scan(Buffer.concat([good, NEGATIVE]))).toEqual(good);
    expect(s.badSize).toBe(-4);
    expect(s.scan(frame([1])).length).toBe(0);
  });

  it('stops at a length above the maximum, even split across packets', () => {
    const s = new FrameScanner(DEFAULT_MAX_FRAME_BYTES);
    expect(s.scan(HUGE.subarray(0, 2)).length).toBe(0);
    expect(s.scan(HUGE.subarray(2)).length).toBe(0);
    expect(s.badSize).toBe(0x7fffffff);
    expect(new FrameScanner(100).scan(frame(new Array<number>(100).fill(1))).length).toBe(104);
  });
});

/** A TCP peer answering every request with `reply`, written in `pieces` 20 ms apart. */
async function rawPeer(pieces: Buffer[]): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    sock.on('data', () => {
      pieces.forEach((p, i) => setTimeout(() => sock.destroyed || sock.write(p), i * 20));
    });
  });
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return listen(server);
}

/** An HTTP peer answering every request with status 200 and `body`. */
async function httpPeer(body: Buffer): Promise<number> {
  const server: HttpServer = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(body));
  });
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return listen(server);
}

function listen(server: Server | HttpServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
}

interface CaseResult {
  name: string;
  first: { ok: boolean; error?: string; category?: string };
  ms: number;
  second: { ok: boolean; error?: string; reason?: string };
  secondMs: number;
  errors: string[];
  failures: number;
}

const client = fileURLToPath(new URL('./helpers/bad-frame-client.ts', import.meta.url));
const SILENCE_MS = 30_000;

/** Runs the cases in a child; rejects when it falls silent for SILENCE_MS (it hangs). */
function runChild(style: ClientStyle, cases: string[]): Promise<CaseResult[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', client, style, ...cases], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const results: CaseResult[] = [];
  return new Promise((resolve, reject) => {
    let timer = setTimeout(hung, SILENCE_MS);
    function hung() {
      child.kill('SIGKILL');
      reject(
        new Error(`the client hangs after ${results.length} case(s): ${JSON.stringify(results)}`),
      );
    }
    createInterface({ input: child.stdout }).on('line', (l) => {
      results.push(JSON.parse(l) as CaseResult);
      clearTimeout(timer);
      timer = setTimeout(hung, SILENCE_MS);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(results);
    });
  });
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  describe(`a ${style}-style client whose peer sends a bad frame length`, () => {
    it(
      'fails the call at once as a transport failure and treats the connection as broken',
      async () => {
        const negative = await rawPeer([NEGATIVE]);
        const split = await rawPeer([NEGATIVE.subarray(0, 2), NEGATIVE.subarray(2)]);
        const huge = await rawPeer([HUGE]);
        const http = await httpPeer(NEGATIVE);
        const results = await runChild(style, [
          `negative:tcp:${negative}`,
          `split:tcp:${split}`,
          `huge:tcp:${huge}`,
          `http:http:${http}`,
        ]);
        expect(results.map((r) => r.name)).toEqual(['negative', 'split', 'huge', 'http']);
        for (const r of results) {
          expect(r.first).toEqual({
            ok: false,
            error: 'ThriftTransportError',
            category: 'transport',
          });
          // Well before the 5 s deadline: the guard, not the deadline, ended it.
          expect(r.ms).toBeLessThan(2_500);
          expect(r.errors).toContain('ThriftFrameError');
          expect(r.failures).toBeGreaterThanOrEqual(1);
        }
        for (const r of results.filter((x) => x.name !== 'http')) {
          // A TCP connection is dropped: the next call is refused without being sent.
          expect(r.second).toEqual({ ok: false, error: 'ThriftTransportError', reason: 'down' });
          expect(r.secondMs).toBeLessThan(2_500);
        }
      },
      4 * SILENCE_MS,
    );
  });
}

/**
 * A proxy in front of `target` whose first connection answers any request with `reply` and
 * whose later connections are piped through.
 */
async function firstConnectionLies(target: number, reply: Buffer): Promise<number> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    if (connections++ === 0) {
      sock.on('data', () => sock.write(reply));
      return;
    }
    const up = connect(target, '127.0.0.1');
    sockets.add(up);
    up.on('error', () => sock.destroy());
    up.on('close', () => sockets.delete(up));
    sock.pipe(up).pipe(sock);
  });
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return listen(server);
}

for (const style of ['callback', 'es6'] as const satisfies readonly ClientStyle[]) {
  describe(`a reconnecting ${style}-style connection after a bad frame`, () => {
    it('starts the new stream afresh: calls after the reconnect are answered', async () => {
      const s = await CatalogServer.start('framed-binary');
      cleanup.push(() => s.close());
      const port = await firstConnectionLies(s.port, HUGE);
      const conn = connectCatalog(style, 'framed-binary', port, { maxAttempts: 5 });
      cleanup.push(() => conn.close());
      const rpc = wrapThriftClient(conn.client as Es6CatalogClient, {
        target: false, // circuits named <service>/<method>
        connection: conn.connection,
        registry: new CircuitRegistry(),
        defaults: { timeoutMs: 2_000 },
      });
      const first = await settle(rpc.getItem('a'), 3_000);
      expect(isThriftTransportError(errorOf(first))).toBe(true);
      expect(first.ms).toBeLessThan(1_500);
      await new Promise((resolve) => conn.connection.once('connect', resolve));
      expect(await settle(rpc.getItem('a'), 3_000)).toMatchObject({
        ok: true,
        value: { id: 'a', name: 'apple' },
      });
    });
  });
}
