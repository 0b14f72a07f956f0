/**
 * The package as users get it: built with the project's tsup config (ESM + CommonJS), each entry
 * point loads in a fresh Node process, the main entry exposes the API of API.md, and it loads none
 * of the peer dependencies (@grpc/grpc-js, thrift, ioredis, prom-client, @opentelemetry/api).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from 'tsup';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = `${root}test-artifacts/dist-check`;

const API = [
  'CircuitRegistry',
  'CircuitBreaker',
  'CircuitOpenError',
  'ConfigError',
  'isCircuitOpenError',
  'createGrpcBreakerInterceptor',
  'wrapThriftClient',
  'createStatusHandler',
  'MemoryStateStore',
];
const PEERS = ['@grpc/grpc-js', 'thrift', 'ioredis', 'prom-client', '@opentelemetry/api'];

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 30_000 });
}

describe('the built package', () => {
  beforeAll(async () => {
    const { default: config } = await import('../../tsup.config.js');
    await build({ ...(config as object), outDir, dts: false, sourcemap: false, silent: true });
  }, 60_000);

  it('loads the main entry from CommonJS with the API and without any peer dependency', () => {
    const out = node([
      '-e',
      `
      const m = require(${JSON.stringify(`${outDir}/index.cjs`)});
      const loaded = Object.keys(require.cache).filter((p) => ${JSON.stringify(PEERS)}.some((peer) => p.includes('/node_modules/' + peer + '/')));
      console.log(JSON.stringify({ keys: Object.keys(m), loaded }));
    `,
    ]);
    const { keys, loaded } = JSON.parse(out) as { keys: string[]; loaded: string[] };
    expect(keys).toEqual(expect.arrayContaining(API));
    expect(loaded).toEqual([]);
  });

  it('loads the main entry as ESM with the same names', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `
      const m = await import(${JSON.stringify(`${outDir}/index.js`)});
      console.log(JSON.stringify(Object.keys(m)));
    `,
    ]);
    expect(JSON.parse(out)).toEqual(expect.arrayContaining(API));
  });

  it('loads rpc-breaker/redis, rpc-breaker/prometheus and rpc-breaker/opentelemetry in both formats', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const dir = ${JSON.stringify(outDir)};
      const r = {};
      for (const [entry, name] of [['redis', 'RedisStateStore'], ['prometheus', 'registerPrometheusMetrics'], ['opentelemetry', 'registerOpenTelemetryMetrics']]) {
        r[entry] = [typeof (await import(dir + '/' + entry + '.js'))[name], typeof require(dir + '/' + entry + '.cjs')[name]];
      }
      console.log(JSON.stringify(r));
    `,
    ]);
    expect(JSON.parse(out)).toEqual({
      redis: ['function', 'function'],
      prometheus: ['function', 'function'],
      opentelemetry: ['function', 'function'],
    });
  });

  it('recognises a CircuitOpenError from another copy of the package', () => {
    const out = node([
      '-e',
      `
      const cjs = require(${JSON.stringify(`${outDir}/index.cjs`)});
      import(${JSON.stringify(`${outDir}/index.js`)}).then((esm) => {
        const e = new esm.CircuitOpenError('c', 5);
        console.log(JSON.stringify([cjs.isCircuitOpenError(e), e instanceof cjs.CircuitOpenError, e.code]));
      });
    `,
    ]);
    expect(JSON.parse(out)).toEqual([true, false, 'CIRCUIT_OPEN']);
  });
});
