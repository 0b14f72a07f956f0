/**
 * The package as TypeScript users compile it: the built package (ESM + CJS + declarations) is
 * copied into the node_modules of throw-away projects outside the repository, each is compiled
 * with `tsc` (strict, `skipLibCheck: false`, so every published .d.ts is checked) and run:
 * - esm/: every entry point from an ESM project, `using` / `await using` on listener handles,
 *   metric registrations, the registry and its store, and one ConfigError class across entries;
 * - cjs/: the same through the `require` conditions;
 * - cjs-node10/: CommonJS with `moduleResolution: "node"`, which finds subpaths by typesVersions;
 * - thrift-only/: a Thrift-only project without @grpc/grpc-js installed, with the js:node
 *   generated client of thrift/gen-nodejs, calling the wrapped client's Promise-returning methods.
 * Only the packages a project needs are linked into its node_modules.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'tsup';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources = fileURLToPath(new URL('./consumers/', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');
let work: string;

/** Creates `<dir>/node_modules` with a copy of the built package and links to `links`. */
function installInto(dir: string, pkg: string, links: string[]): void {
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  cpSync(pkg, join(dir, 'node_modules/rpc-breaker'), { recursive: true });
  for (const name of links) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(dir, 'node_modules', name));
  }
}

/** A project `name` in `dir` with `type` and the consumer source of the same name. */
function project(
  dir: string,
  name: string,
  type: 'module' | 'commonjs',
  overrides: Record<string, unknown> = {},
): string {
  const p = join(dir, name);
  mkdirSync(join(p, 'src'), { recursive: true });
  writeFileSync(join(p, 'package.json'), JSON.stringify({ name, private: true, type }));
  writeFileSync(
    join(p, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022'],
        types: ['node'],
        strict: true,
        skipLibCheck: false,
        outDir: 'dist',
        rootDir: 'src',
        ...overrides,
      },
      include: ['src'],
    }),
  );
  cpSync(join(sources, name, 'index.ts'), join(p, 'src/index.ts'));
  return p;
}

function compileAndRun(p: string): unknown {
  try {
    execFileSync(process.execPath, [tsc, '-p', p], { encoding: 'utf8', timeout: 120_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc failed in ${p}:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  const out = execFileSync(process.execPath, [join(p, 'dist/index.js')], {
    cwd: p,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('TypeScript consumer projects', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rpc-breaker-consumers-'));
    const pkg = join(work, 'package');
    const { default: config } = await import('../../tsup.config.js');
    await build({
      ...(config as object),
      outDir: join(pkg, 'dist'),
      sourcemap: false,
      silent: true,
    });
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const { name, version, type, main, module, types, typesVersions, exports } = manifest;
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name, version, type, main, module, types, typesVersions, exports }),
    );
    installInto(join(work, 'full'), pkg, [
      ...['@types/node', 'lru-cache', '@grpc/grpc-js', 'prom-client', 'ioredis'],
      ...['thrift', '@types/thrift', '@types/q', '@types/node-int64'],
    ]);
    installInto(join(work, 'thrift'), pkg, [
      ...['@types/node', 'lru-cache', 'thrift', 'node-int64', '@types/thrift', '@types/q'],
      '@types/node-int64',
    ]);
    cpSync(join(root, 'thrift/gen-nodejs'), join(work, 'thrift/thrift-only/gen'), {
      recursive: true,
    });
  }, 240_000);

  afterAll(() => {
    if (work && !process.env.KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
  });

  it('publishes no @internal member, and no import of @grpc/grpc-js or thrift, in the declarations', () => {
    const dist = join(work, 'package/dist');
    const dts = readdirSync(dist).filter((f) => /\.d\.c?ts$/.test(f));
    const text = dts.map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
    expect(dts.length).toBeGreaterThan(10);
    expect(text).toContain('class CircuitBreaker');
    for (const internal of ['attachSync', 'settle(', '@internal'])
      expect(text).not.toContain(internal);
    // No declaration file needs an adapter's peer: grpc-js types are written out structurally.
    expect(text).not.toMatch(/from '(@grpc\/grpc-js|thrift)'/);
  });

  it('compiles and runs an ESM project using every entry point, with using / await using', () => {
    expect(compileAndRun(project(join(work, 'full'), 'esm', 'module'))).toEqual({
      seen: ['forced-open:forced'],
      storeClosed: true,
      metricsRemoved: true,
      sameConfigError: true,
      sameWrapper: true,
    });
  }, 120_000);

  it('compiles and runs a CommonJS project through the require conditions', () => {
    expect(compileAndRun(project(join(work, 'full'), 'cjs', 'commonjs'))).toEqual({
      reasons: ['forced'],
      sameConfigError: true,
      sameWrapper: true,
    });
  }, 120_000);

  it('finds the subpath entry points under the older moduleResolution "node" (typesVersions)', () => {
    const p = project(join(work, 'full'), 'cjs-node10', 'commonjs', {
      module: 'CommonJS',
      moduleResolution: 'Node10',
    });
    expect(compileAndRun(p)).toEqual({
      sameConfigError: true,
      unavailable: 14,
      wrap: 'function',
      prometheus: 'function',
      circuits: 0,
    });
  }, 120_000);

  it('compiles a Thrift-only project without @grpc/grpc-js installed, and its calls are Promises', () => {
    expect(() =>
      execFileSync(process.execPath, ['-e', 'require.resolve("@grpc/grpc-js")'], {
        cwd: join(work, 'thrift'),
        stdio: 'pipe',
      }),
    ).toThrow();
    // @types/thrift names XMLHttpRequest, so a Thrift project checking libraries needs lib DOM.
    const p = project(join(work, 'thrift'), 'thrift-only', 'module', { lib: ['ES2022', 'DOM'] });
    expect(compileAndRun(p)).toEqual({
      answer: 'transport',
      sameWrapper: true,
    });
  }, 120_000);
});
