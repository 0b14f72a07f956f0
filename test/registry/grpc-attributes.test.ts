import { describe, expect, it } from 'vitest';
import { grpcAttributes } from '../../src/registry/circuit-attributes.js';

const base = { 'rpc.system': 'grpc', 'rpc.service': 'shop.Catalog', 'rpc.method': 'GetItem' };

describe('grpcAttributes', () => {
  it('names the service and method of a path, and no server without a target', () => {
    expect(grpcAttributes('/shop.Catalog/GetItem')).toEqual(base);
  });

  it.each([
    ['10.0.0.7:50051', { 'server.address': '10.0.0.7', 'server.port': 50051 }],
    ['dns:catalog.internal:443', { 'server.address': 'catalog.internal', 'server.port': 443 }],
    ['dns:///catalog.internal:443', { 'server.address': 'catalog.internal', 'server.port': 443 }],
    ['ipv6:[::1]:50051', { 'server.address': '::1', 'server.port': 50051 }],
    ['catalog', { 'server.address': 'catalog' }],
    ['ipv4:10.0.0.1:1,10.0.0.2:2', {}],
    ['unix:/tmp/sock', {}],
  ])('takes the server from target %s', (target, server) => {
    expect(grpcAttributes('/shop.Catalog/GetItem', target)).toEqual({ ...base, ...server });
  });
});
