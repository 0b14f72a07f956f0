/**
 * Issue #12, the gRPC entry points over fuzzed options: `createGrpcBreakerInterceptor` (method
 * keys, `target`, `circuitName`, `knownMethods`, `packageDefinition`, hedging …),
 * `registerEndpointBreaker` and `endpointBreakerServiceConfig`. Each call is accepted or rejected
 * with a ConfigError naming the option.
 */
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitRegistry } from '../../src/registry/circuit-registry.js';
import { createGrpcBreakerInterceptor } from '../../src/grpc/interceptor.js';
import { createGrpcHealthProbe } from '../../src/grpc/health-probe.js';
import {
  endpointBreakerServiceConfig,
  registerEndpointBreaker,
} from '../../src/grpc/endpoints/register.js';
import { fcRuns } from '../fc-runs.js';
import {
  LedgerServer,
  ledgerClient,
  ledgerDefinition,
  ledgerPaths,
} from '../grpc/helpers/ledger.js';
import { services } from '../grpc/helpers/services.js';
import { acceptedOrConfigError, expectBothOutcomes, firstCallSettles } from './config-property.js';
import { goodCount, goodMs, hostileValue, listOf, optionsOf, pick } from './hostile-options.js';
import { circuitPolicy, methodPolicy, methodsMap } from './option-schemas.js';

const registry = new CircuitRegistry();
const status = pick(['UNAVAILABLE', 'CANCELLED', 4, 16], ['NOPE', 17, -1, 1.5]);
const methodKeys = [
  ledgerPaths.getBalance,
  ledgerPaths.transfer,
  '/rpcbreaker.ledger.v1.Ledger/*',
  '/rpcbreaker.ledger.v1.Ledger/Nope',
  '/other.Svc/Get',
  '*',
  'malformed',
  '//',
];

const interceptorOptions = optionsOf(
  {
    registry: fc.oneof(
      { weight: 5, arbitrary: fc.constant(null).map(() => new CircuitRegistry()) },
      { weight: 1, arbitrary: fc.constant({ get: 1 }) },
    ),
    defaults: methodPolicy(status),
    methods: methodsMap(methodKeys, status),
    target: pick(['dns:///ledger:443', 'a'], [' ']),
    circuitName: fc.constant((path: string, target?: string) => `${target ?? ''}${path}`),
    packageDefinition: pick([ledgerDefinition], [{}, { svc: { m: { path: 1 } } }]),
    knownMethods: fc.oneof(
      fc.constant<unknown>(ledgerDefinition),
      listOf(pick([ledgerPaths.getBalance, ledgerPaths.transfer], ['/a.B/*', 'x'])),
    ),
  },
  ['circuitName'],
);

const endpointOptions = optionsOf({
  registry: pick([registry], [{ get: () => undefined }]),
  circuit: circuitPolicy,
  failOn: listOf(status),
  ignore: listOf(status),
  maxEjectionPercent: pick([0, 50, 100], [101]),
  readmission: fc.oneof(
    fc.constant('calls'),
    optionsOf({
      healthCheck: optionsOf({ service: pick(['', 'svc']), timeoutMs: goodMs }),
    }),
  ),
  name: pick(['rpc_breaker_fuzz'], ['Bad-Name', '']),
});

const serviceConfigOptions = optionsOf({
  policy: pick(['rpc_breaker_fuzz'], ['']),
  childPolicy: listOf(fc.constant({ round_robin: {} })),
  maxEjectionPercent: pick([0, 50, 100], [101]),
  scope: pick(['svc'], ['']),
});

describe('fuzzed gRPC options', () => {
  it('createGrpcBreakerInterceptor(options): accepted (and a first call settles) or a ConfigError', async () => {
    const server = await LedgerServer.start();
    const client = ledgerClient(server.address, []);
    const getBalance = (interceptor: grpc.Interceptor) =>
      new Promise((resolve, reject) =>
        client.GetBalance(
          { account: 'a' },
          new grpc.Metadata(),
          { interceptors: [interceptor] },
          (e, v) => (e ? reject(e) : resolve(v)),
        ),
      );
    await fc.assert(
      fc.asyncProperty(interceptorOptions, async (options) => {
        const made = acceptedOrConfigError(() => createGrpcBreakerInterceptor(options as never));
        if (made)
          await firstCallSettles(
            () => getBalance(made.value as grpc.Interceptor),
            ['circuitName('], // what the user's function returns is checked per call
          );
      }),
      { numRuns: fcRuns(4_000) },
    );
    // Seven options, nested three deep: few generated configurations are valid throughout.
    expectBothOutcomes(0.01);
    client.close();
    server.close();
  });

  it('registerEndpointBreaker(grpc, options): accepted or a ConfigError', () => {
    fc.assert(
      fc.property(endpointOptions, (options) => {
        const made = acceptedOrConfigError(() => registerEndpointBreaker(grpc, options as never));
        if (made) expect(typeof made.value).toBe('string');
      }),
      { numRuns: fcRuns(1_500) },
    );
    expectBothOutcomes();
  });

  it('endpointBreakerServiceConfig(options): accepted or a ConfigError', () => {
    fc.assert(
      fc.property(serviceConfigOptions, (options) => {
        acceptedOrConfigError(() => endpointBreakerServiceConfig(options as never));
      }),
      { numRuns: fcRuns(1_500) },
    );
    expectBothOutcomes();
  });

  it('createGrpcHealthProbe(client, options): accepted or a ConfigError', () => {
    const client = new services.Health('127.0.0.1:1', grpc.credentials.createInsecure());
    const probeOptions = optionsOf({
      service: pick(['', 'rpcbreaker.echo.v1.Echo'], [5]),
      timeoutMs: pick([1, 1_000, 2 ** 31 - 1], [0, 2 ** 31, 1e308]),
      interceptors: listOf(fc.constant((o: unknown, next: (o: unknown) => unknown) => next(o))),
    });
    fc.assert(
      fc.property(fc.boolean(), probeOptions, (lazily, options) => {
        const made = acceptedOrConfigError(() =>
          createGrpcHealthProbe(lazily ? () => client : (client as never), options as never),
        );
        if (made) expect(typeof made.value).toBe('function');
      }),
      { numRuns: fcRuns(1_000) },
    );
    expectBothOutcomes();
    client.close();
  });

  it('registerEndpointBreaker(module): anything but the grpc-js module is a ConfigError', () => {
    fc.assert(
      fc.property(fc.oneof(hostileValue, optionsOf({ experimental: goodCount })), (module) => {
        expect(acceptedOrConfigError(() => registerEndpointBreaker(module as never))).toBe(
          undefined,
        );
      }),
      { numRuns: fcRuns(200) },
    );
  });
});

describe('found while reading the validators for the fuzzing', () => {
  it('an endpoint health check timeoutMs beyond what a timer can wait is a ConfigError', () => {
    for (const timeoutMs of [2 ** 31, 1e308]) {
      expect(() =>
        registerEndpointBreaker(grpc, {
          name: 'rpc_breaker_fuzz',
          readmission: { healthCheck: { timeoutMs } },
        }),
      ).toThrow(/^readmission\.healthCheck\.timeoutMs must be a number of ms in \(0, 2147483647\]/);
    }
  });
});
