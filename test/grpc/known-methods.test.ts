/**
 * `knownMethods`: method keys checked against the methods that exist, on their own — a typo is a
 * ConfigError at start-up, and nothing about retries or caching changes.
 */
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { paths, protosDir } from './helpers/services.js';

const definition = protoLoader.loadSync(['echo.proto', 'catalog.proto'], {
  includeDirs: [protosDir],
});

describe('knownMethods', () => {
  it('rejects a key naming a method or service that does not exist', () => {
    for (const knownMethods of [definition, Object.values(paths)]) {
      expect(() =>
        createGrpcBreakerInterceptor({
          knownMethods,
          methods: { '/rpcbreaker.catalog.v1.Catalog/GetItme': { timeoutMs: 100 } },
        }),
      ).toThrow(ConfigError);
      expect(() =>
        createGrpcBreakerInterceptor({
          knownMethods,
          methods: { '/rpcbreaker.catalog.v1.Catalog/GetItme': { timeoutMs: 100 } },
        }),
      ).toThrow(
        /names no method in knownMethods \(known: .*\/rpcbreaker\.catalog\.v1\.Catalog\/GetItem/,
      );
      expect(() =>
        createGrpcBreakerInterceptor({ knownMethods, methods: { '/shop.Nope/*': {} } }),
      ).toThrow('methods["/shop.Nope/*"] names no service in knownMethods');
    }
  });

  it('accepts real keys and wildcards, and does not switch idempotency gating on', () => {
    expect(() =>
      createGrpcBreakerInterceptor({
        knownMethods: definition,
        methods: {
          '*': { timeoutMs: 500 },
          '/rpcbreaker.echo.v1.Echo/*': {},
          // Retries stay governed by the policy alone (no idempotency gating).
          [paths.getItem]: { retry: { maxAttempts: 3 } },
        },
      }),
    ).not.toThrow();
  });

  it('refuses a knownMethods that is neither a definition nor a list of paths', () => {
    expect(() => createGrpcBreakerInterceptor({ knownMethods: ['GetItem'] })).toThrow(
      "knownMethods[0] must be a method path '/pkg.Svc/Method'",
    );
    expect(() => createGrpcBreakerInterceptor({ knownMethods: 42 as never })).toThrow(
      'knownMethods must be a @grpc/proto-loader package definition or a list of method paths',
    );
  });
});
