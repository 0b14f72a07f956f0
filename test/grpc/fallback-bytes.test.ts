/**
 * The gRPC response cache's byte bound holds whatever the reply's shape: it counts the reply's
 * serialized bytes, exactly. The reply here is the shape that once defeated a sampled estimate:
 * `{ rows: [4 × 1 MiB], ids: [10,001 numbers] }` (a walk that stopped after 10,000 values saw
 * the ids and missed the rows). The service uses serializers of its own, as any grpc-js service
 * may.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { expectNoLeakedHandles } from './helpers/leaks.js';
import { header, md, unary } from './helpers/calls.js';

expectNoLeakedHandles();

setFlagsFromString('--expose-gc');
const rawGc = runInNewContext('gc') as () => void;
/** A full collection, then a pause: V8 frees array buffer memory on a background task. */
async function gc(): Promise<void> {
  rawGc();
  await new Promise((r) => setTimeout(r, 50));
  rawGc();
}

const MiB = 1 << 20;
const PATH = '/test.Big/Get';

interface Big {
  rows: Buffer[];
  ids: number[];
}

function encode(r: Big): Buffer {
  const parts: Buffer[] = [u32(r.rows.length)];
  for (const row of r.rows) parts.push(u32(row.length), row);
  const ids = Buffer.alloc(4 + 8 * r.ids.length);
  ids.writeUInt32BE(r.ids.length, 0);
  r.ids.forEach((id, i) => ids.writeDoubleBE(id, 4 + 8 * i));
  parts.push(ids);
  return Buffer.concat(parts);
}

function decode(b: Buffer): Big {
  let at = 0;
  const rows: Buffer[] = [];
  for (let n = b.readUInt32BE((at += 4) - 4); n > 0; n--) {
    const len = b.readUInt32BE(at);
    rows.push(b.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  const ids: number[] = [];
  for (let n = b.readUInt32BE((at += 4) - 4); n > 0; n--, at += 8) ids.push(b.readDoubleBE(at));
  return { rows, ids };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

const definition = {
  Get: {
    path: PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (r: { n: number }) => Buffer.from(JSON.stringify(r)),
    requestDeserialize: (b: Buffer) => JSON.parse(b.toString()) as { n: number },
    responseSerialize: encode,
    responseDeserialize: decode,
  },
} satisfies grpc.ServiceDefinition;

type BigClient = grpc.Client & {
  Get(
    r: { n: number },
    m: grpc.Metadata,
    o: grpc.CallOptions,
    cb: (e: grpc.ServiceError | null, v?: Big) => void,
  ): grpc.ClientUnaryCall;
};

let closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers) c();
  closers = [];
});

describe('the byte bound of the gRPC response cache', () => {
  it('holds 60 replies of 4 MiB + 10,001 ids under a 16 MiB bound', async () => {
    const server = new grpc.Server();
    server.addService(definition, {
      Get: (call: grpc.ServerUnaryCall<{ n: number }, Big>, cb: grpc.sendUnaryData<Big>) =>
        cb(null, {
          rows: Array.from({ length: 4 }, () => Buffer.alloc(MiB, call.request.n)),
          ids: Array.from({ length: 10_001 }, (_, i) => i),
        }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    closers.push(() => server.forceShutdown());
    const registry = new CircuitRegistry();
    const Ctor = grpc.makeGenericClientConstructor(definition, 'Big');
    const client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      interceptors: [
        createGrpcBreakerInterceptor({
          registry,
          methods: { [PATH]: { fallback: { cache: { ttlMs: 60_000, maxBytes: 16 * MiB } } } },
        }),
      ],
      'grpc.max_receive_message_length': 8 * MiB,
    }) as unknown as BigClient;
    closers.push(() => client.close());
    const get = (n: number) =>
      unary<Big>((cb) => client.Get({ n }, md(), {}, cb)).then((r) => {
        const v = r.value;
        return { ...r, value: undefined, first: v?.rows[0]?.[0], rows: v?.rows.length };
      });

    await gc();
    const before = process.memoryUsage().arrayBuffers;
    for (let n = 0; n < 60; n++) expect((await get(n)).rows).toBe(4);
    await gc();
    const held = process.memoryUsage().arrayBuffers - before;
    // 60 replies are 240 MiB; the cache may keep 16 MiB of them (3 replies).
    expect(held).toBeLessThan(32 * MiB);

    registry.get(PATH).forceOpen();
    const newest = await get(59);
    expect(header(newest.metadata, 'x-fallback')).toBe('cache');
    expect(newest.first).toBe(59);
    expect((await get(0)).error?.code).toBe(grpc.status.UNAVAILABLE);
  });
});
