/**
 * OpenTelemetry attributes follow the RPC semantic conventions beside the circuit's own: calls
 * through the real gRPC interceptor and the real Thrift wrapper (servers on 127.0.0.1) carry
 * `rpc.system`, `rpc.service`, `rpc.method` (and for Thrift `server.address`/`server.port`), and
 * a call that ended in an error records its duration with `error.type`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { registerOpenTelemetryMetrics } from '../../src/metrics/opentelemetry.js';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { wrapThriftClient } from '../../src/thrift/wrap-client.js';
import { Fixture, getItem } from '../grpc/helpers/fixture.js';
import { paths } from '../grpc/helpers/services.js';
import { md } from '../grpc/helpers/calls.js';
import { CatalogServer } from '../thrift/helpers/catalog-server.js';
import { fail } from '../grpc/helpers/test-server.js';
import * as grpc from '@grpc/grpc-js';
import { connectCatalog } from '../thrift/helpers/clients.js';
import { RecordingMeter } from './recording-meter.js';

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

describe('OpenTelemetry RPC attributes', () => {
  it('describes a gRPC circuit by system, service and method', async () => {
    const f = await Fixture.create();
    closers.push(() => f.close());
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(f.registry, meter);
    await getItem(f.catalog(), 'a');

    const rpc = {
      'rpc.system': 'grpc',
      'rpc.service': 'rpcbreaker.catalog.v1.Catalog',
      'rpc.method': 'GetItem',
    };
    const points = await meter.collect();
    const calls = points.filter((p) => p.name === 'rpc_breaker.calls');
    expect(calls.map((p) => p.attributes)).toContainEqual({
      circuit: paths.getItem,
      ...rpc,
      outcome: 'success',
    });
    expect(meter.records[0]?.attributes).toEqual({
      circuit: paths.getItem,
      ...rpc,
      outcome: 'success',
    });
  });

  it('keeps only what the methods agree on when they share one circuit', async () => {
    const f = await Fixture.create({ circuitName: () => 'catalog' });
    closers.push(() => f.close());
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(f.registry, meter, { callDurations: false });
    const client = f.catalog();
    await getItem(client, 'a');
    await new Promise<void>((resolve) =>
      client.PutItem({ item: { id: 'b' } }, md(), {}, () => resolve()),
    );
    const transitions = (await meter.collect()).filter((p) => p.name === 'rpc_breaker.transitions');
    expect(transitions.map((p) => p.attributes)).toEqual([
      { circuit: 'catalog', 'rpc.system': 'grpc', 'rpc.service': 'rpcbreaker.catalog.v1.Catalog' },
    ]);
  });

  it('describes a Thrift circuit by system, service, method and server', async () => {
    const server = await CatalogServer.start('framed-binary');
    closers.push(() => server.close());
    const conn = connectCatalog('es6', 'framed-binary', server.port);
    closers.push(() => conn.close());
    const registry = new CircuitRegistry();
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(registry, meter, { callDurations: false });
    const catalog = wrapThriftClient(conn.client, {
      target: false, // circuits named <service>/<method>
      connection: conn.connection,
      registry,
      service: 'catalog',
    });
    await catalog.ping();
    const slow = (await meter.collect()).filter((p) => p.name === 'rpc_breaker.slow_calls');
    expect(slow.map((p) => p.attributes)).toEqual([
      {
        circuit: 'catalog/ping',
        'rpc.system': 'apache_thrift',
        'rpc.service': 'catalog',
        'rpc.method': 'ping',
        'server.address': '127.0.0.1',
        'server.port': server.port,
      },
    ]);
  });

  it('records error.type on the duration of a gRPC call that ended with a status', async () => {
    const f = await Fixture.create();
    closers.push(() => f.close());
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(f.registry, meter);
    const client = f.catalog();
    await getItem(client, 'a');
    f.server.set(fail(grpc.status.UNAVAILABLE));
    await getItem(client, 'a');
    f.server.set(fail(grpc.status.NOT_FOUND));
    await getItem(client, 'a');
    expect(meter.records.map((r) => [r.attributes.outcome, r.attributes['error.type']])).toEqual([
      ['success', undefined],
      ['failure', 'UNAVAILABLE'],
      ['success', 'NOT_FOUND'],
    ]);
  });

  it('records the Thrift failure category as error.type', async () => {
    const server = await CatalogServer.start('framed-binary');
    closers.push(() => server.close());
    const conn = connectCatalog('es6', 'framed-binary', server.port);
    closers.push(() => conn.close());
    const registry = new CircuitRegistry();
    const meter = new RecordingMeter();
    registerOpenTelemetryMetrics(registry, meter);
    const catalog = wrapThriftClient(conn.client, { connection: conn.connection, registry });
    server.set({ kind: 'fail' });
    await expect(catalog.ping()).rejects.toThrow();
    expect(meter.records.map((r) => [r.attributes.outcome, r.attributes['error.type']])).toEqual([
      ['failure', 'application'],
    ]);
  });
});
