/**
 * A cluster for the per-endpoint tests: N Echo servers, each its own process on 127.0.0.1, and
 * Echo clients whose channel balances over all of them (`ipv4:` target) through a freshly
 * registered per-endpoint breaker. Every call is recorded with the server that answered it.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { CircuitRegistry } from '../../../src/registry/circuit-registry.js';
import {
  endpointBreakerServiceConfig,
  registerEndpointBreaker,
} from '../../../src/grpc/endpoints/register.js';
import type { EndpointBreakerOptions } from '../../../src/grpc/endpoints/endpoint-options.js';
import { ChildServer } from '../helpers/child-server.js';
import { EchoClientCtor, type EchoClient } from '../helpers/services.js';

/** One finished call. */
export interface CallRecord {
  /** Server id that answered (`s0`…, from its reply or its `x-server` header), or ''. */
  server: string;
  code: grpc.status;
  details: string;
  startedAt: number;
  ms: number;
}

let policySeq = 0;

/**
 * Starts `n` servers named `s0`…`s<n-1>`, in parallel.
 * @param opts.health the servers also serve grpc.health.v1 (`ChildServer.setHealth`)
 */
export function startServers(n: number, opts: { health?: boolean } = {}): Promise<ChildServer[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => ChildServer.start(`s${i}`, opts)));
}

/**
 * Registers a test file's hooks around `n` child servers: started once for the file, reset to
 * answer normally before each test, killed after the last; clients pushed to `clients` are
 * closed after each test. The arrays are filled in place, so they can be destructured at once.
 */
export function useServers(
  n: number,
  opts: { health?: boolean } = {},
): { servers: ChildServer[]; clients: EchoClient[] } {
  const ctx = { servers: [] as ChildServer[], clients: [] as EchoClient[] };
  beforeAll(async () => {
    ctx.servers.push(...(await startServers(n, opts)));
  }, 30_000);
  afterAll(async () => {
    await Promise.all(ctx.servers.splice(0).map((s) => s.kill()));
  });
  beforeEach(async () => {
    await Promise.all(ctx.servers.map((s) => s.set({ kind: 'ok' })));
  });
  afterEach(() => {
    for (const c of ctx.clients.splice(0)) c.close();
  });
  return ctx;
}

/** `ipv4:` target over the given `host:port` addresses. */
export function ipv4Target(addresses: string[]): string {
  return `ipv4:${addresses.join(',')}`;
}

/**
 * Registers a breaker policy under a fresh name and returns a client factory using it.
 * @param extra channel options merged over the service config (e.g. a resolver)
 */
export function endpointClient(
  options: Omit<EndpointBreakerOptions, 'name'> & { registry: CircuitRegistry },
  config: { maxEjectionPercent?: number; childPolicy?: object[]; scope?: string } = {},
): { policy: string; connect: (target: string, extra?: grpc.ChannelOptions) => EchoClient } {
  const policy = registerEndpointBreaker(grpc, { ...options, name: `rpc_breaker_t${++policySeq}` });
  const serviceConfig = endpointBreakerServiceConfig({ ...config, policy });
  return {
    policy,
    connect: (target, extra = {}) =>
      new EchoClientCtor(target, grpc.credentials.createInsecure(), {
        'grpc.service_config': JSON.stringify(serviceConfig),
        ...extra,
      }),
  };
}

/** One Say call with a deadline; never rejects. */
export function say(client: EchoClient, deadlineMs = 1_000): Promise<CallRecord> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    let header = '';
    const call = client.Say(
      { message: 'hi' },
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (e, v) =>
        resolve({
          server: v?.server ?? header,
          code: e?.code ?? grpc.status.OK,
          details: e?.details ?? '',
          startedAt,
          ms: performance.now() - startedAt,
        }),
    );
    call.on('metadata', (md: grpc.Metadata) => (header = String(md.get('x-server')[0] ?? '')));
  });
}

/**
 * Sends `count` calls, one every `everyMs`, without waiting for answers; resolves with all of
 * them once every call has ended (each has a deadline, so this is bounded).
 */
export async function drive(
  client: EchoClient,
  count: number,
  everyMs: number,
  deadlineMs = 1_000,
): Promise<CallRecord[]> {
  const calls: Array<Promise<CallRecord>> = [];
  for (let i = 0; i < count; i++) {
    calls.push(say(client, deadlineMs));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return Promise.all(calls);
}

/**
 * Sends a call every 5 ms until `done()` holds, then `extra` more (at most `max` in all);
 * resolves once every call has ended.
 */
export async function driveUntil(
  client: EchoClient,
  done: () => boolean,
  extra = 0,
  deadlineMs = 1_000,
  max = 600,
): Promise<CallRecord[]> {
  const calls: Array<Promise<CallRecord>> = [];
  let left = Infinity;
  while (calls.length < max && left-- > 0) {
    calls.push(say(client, deadlineMs));
    if (left === Infinity && done()) left = extra;
    await new Promise((r) => setTimeout(r, 5));
  }
  return Promise.all(calls);
}

/** Calls per server id among `records` (failed calls under `''`). */
export function byServer(records: CallRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.server] = (out[r.server] ?? 0) + 1;
  return out;
}

/** Waits until `client`'s channel is READY (all subchannels had a chance to connect). */
export async function warm(client: EchoClient, calls = 20): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    client.waitForReady(Date.now() + 5_000, (e) => (e ? reject(e) : resolve())),
  );
  for (let i = 0; i < calls; i++) await say(client);
}

export { CircuitRegistry };

/** When the circuit of each endpoint address last opened (performance.now()), from the registry. */
export function openTimes(registry: CircuitRegistry): Map<string, number> {
  const opened = new Map<string, number>();
  registry.onStateChange((e) => {
    if (e.to === 'open' && e.name.startsWith('endpoint:')) {
      opened.set(
        e.name.slice(e.name.lastIndexOf('/') + 1).replace(/^endpoint:/, ''),
        performance.now(),
      );
    }
  });
  return opened;
}
