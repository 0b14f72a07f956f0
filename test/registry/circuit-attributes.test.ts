import { describe, expect, it } from 'vitest';
import {
  circuitAttributes,
  describeCircuit,
  grpcAttributes,
} from '../../src/registry/circuit-attributes.js';

describe('circuit attributes', () => {
  it('keeps a copy of what an adapter described, frozen, per registry and circuit', () => {
    const registry = {};
    const attributes = { 'rpc.system': 'grpc', 'rpc.service': 'pkg.Svc', 'rpc.method': 'Get' };
    describeCircuit(registry, 'a', attributes);
    describeCircuit(registry, 'b', { 'rpc.system': 'apache_thrift' });
    const a = circuitAttributes(registry, 'a');
    expect(a).toStrictEqual(attributes);
    expect(a).not.toBe(attributes);
    expect(Object.isFrozen(a)).toBe(true);
    expect(circuitAttributes(registry, 'b')).toStrictEqual({ 'rpc.system': 'apache_thrift' });
    expect(circuitAttributes(registry, 'c')).toBeUndefined();
    expect(circuitAttributes({}, 'a')).toBeUndefined();
  });

  it('keeps only the attributes that every description of a shared circuit agrees on', () => {
    const registry = {};
    describeCircuit(registry, 'shared', {
      'rpc.system': 'grpc',
      'rpc.service': 'pkg.Svc',
      'rpc.method': 'Get',
      'server.port': 50051,
    });
    describeCircuit(registry, 'shared', {
      'rpc.system': 'grpc',
      'rpc.service': 'pkg.Svc',
      'rpc.method': 'Put',
    });
    expect(circuitAttributes(registry, 'shared')).toStrictEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'pkg.Svc',
    });
    describeCircuit(registry, 'shared', { 'rpc.system': 'grpc', 'rpc.service': 'pkg.Svc' });
    expect(circuitAttributes(registry, 'shared')).toStrictEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'pkg.Svc',
    });
  });

  it('describes a gRPC method path by its service and method', () => {
    expect(grpcAttributes('/pkg.v1.Ledger/GetBalance')).toStrictEqual({
      'rpc.system': 'grpc',
      'rpc.service': 'pkg.v1.Ledger',
      'rpc.method': 'GetBalance',
    });
  });
});
