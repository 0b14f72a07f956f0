import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../src/core/errors.js';
import {
  DEFAULT_GRPC_FAILURES,
  DEFAULT_GRPC_IGNORED,
  GRPC_STATUS,
  grpcStatusCode,
  grpcStatusName,
  validateGrpcFailure,
} from '../../src/classify/grpc-status.js';

describe('gRPC status table', () => {
  it('matches the numbers of @grpc/grpc-js for every status name', () => {
    for (const [name, code] of Object.entries(GRPC_STATUS)) {
      expect(grpc.status[name as keyof typeof grpc.status]).toBe(code);
      expect(grpcStatusName(code)).toBe(name);
    }
    expect(Object.keys(GRPC_STATUS)).toHaveLength(17);
  });

  it('names an out-of-range number UNKNOWN', () => {
    expect(grpcStatusName(99)).toBe('UNKNOWN');
  });

  it('has the documented default failures and ignored codes', () => {
    expect([...DEFAULT_GRPC_FAILURES].sort()).toEqual([
      'DATA_LOSS',
      'DEADLINE_EXCEEDED',
      'INTERNAL',
      'RESOURCE_EXHAUSTED',
      'UNAVAILABLE',
      'UNKNOWN',
    ]);
    expect(DEFAULT_GRPC_IGNORED).toEqual(['CANCELLED']);
  });

  it('accepts names, numbers and grpc-js status values', () => {
    expect(grpcStatusCode('UNAVAILABLE')).toBe(14);
    expect(grpcStatusCode(4)).toBe(4);
    expect(grpcStatusCode(grpc.status.DATA_LOSS)).toBe(15);
    expect(validateGrpcFailure('INTERNAL', 'failOn[0]')).toBe('INTERNAL');
    expect(validateGrpcFailure(grpc.status.INTERNAL, 'failOn[0]')).toBe(13);
  });

  it('rejects unknown names and numbers with a ConfigError naming the path', () => {
    expect(() => validateGrpcFailure('UNAVAILABEL', 'defaults.failOn[1]')).toThrow(ConfigError);
    expect(() => validateGrpcFailure('UNAVAILABEL', 'defaults.failOn[1]')).toThrow(
      'defaults.failOn[1] must be a gRPC status name (e.g. "UNAVAILABLE") or a status number 0..16; got "UNAVAILABEL"',
    );
    expect(() => validateGrpcFailure('unavailable', 'x')).toThrow(ConfigError);
    expect(() => validateGrpcFailure(17, 'x')).toThrow('got 17');
    expect(() => validateGrpcFailure(1.5, 'x')).toThrow(ConfigError);
    expect(() => validateGrpcFailure('toString', 'x')).toThrow(ConfigError);
    expect(() => validateGrpcFailure(null, 'x')).toThrow('got null');
  });

  it('accepts the numbers 0 and 16 at the ends of the range and rejects -1', () => {
    expect(grpcStatusCode(0)).toBe(0);
    expect(grpcStatusCode(16)).toBe(16);
    expect(() => grpcStatusCode(-1)).toThrow('got -1');
  });

  it('names the path "status" when no path is given', () => {
    expect(() => grpcStatusCode('NOPE')).toThrow(
      'status must be a gRPC status name (e.g. "UNAVAILABLE") or a status number 0..16; got "NOPE"',
    );
  });

  it('rejects a name wrapped in an array or in an object that prints as the name', () => {
    expect(() => validateGrpcFailure(['UNAVAILABLE'], 'failOn[0]')).toThrow(ConfigError);
    expect(() => validateGrpcFailure({ toString: () => 'UNAVAILABLE' }, 'failOn[0]')).toThrow(
      ConfigError,
    );
  });
});
