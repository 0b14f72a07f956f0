import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    grpc: 'src/grpc/index.ts',
    thrift: 'src/thrift/index.ts',
    redis: 'src/storage/redis/index.ts',
    prometheus: 'src/metrics/prometheus.ts',
    opentelemetry: 'src/metrics/opentelemetry.ts',
  },
  format: ['esm', 'cjs'],
  // `@internal` members (the registry's and the stores' hooks into a circuit) stay out of the
  // published declarations.
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // Shared chunks in both formats: every entry point loads the same module for a class, so a
  // ConfigError thrown by rpc-breaker/redis is `instanceof` the ConfigError of rpc-breaker.
  splitting: true,
  // Rollup then writes the chunks of both formats; tsup's own CommonJS splitting would pass them
  // through sucrase, which rewrites every `?.` and `??` into helper calls on the hot path.
  treeshake: true,
});
