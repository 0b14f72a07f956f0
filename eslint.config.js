// ESLint flat config. Besides the recommended rules it enforces the layering of STYLE.md:
// each folder of src/ may import only from folders below it in the dependency order.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders a layer must never import from (relative import patterns). */
const forbidden = {
  core: ['classify', 'fallback', 'retry', 'registry', 'storage', 'grpc', 'thrift', 'metrics'],
  classify: ['fallback', 'retry', 'registry', 'storage', 'grpc', 'thrift', 'metrics'],
  fallback: ['retry', 'registry', 'storage', 'grpc', 'thrift', 'metrics'],
  retry: ['registry', 'storage', 'grpc', 'thrift', 'metrics'],
  registry: ['storage/redis', 'grpc', 'thrift', 'metrics'],
  storage: ['grpc', 'thrift', 'metrics'],
  grpc: ['thrift', 'metrics', 'storage/redis'],
  thrift: ['grpc', 'metrics', 'storage/redis'],
};

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: banned.flatMap((b) => [`../${b}`, `../${b}/*`, `../../${b}`, `../../${b}/*`]),
            message: `src/${layer} must not import from a higher layer (see STYLE.md).`,
          },
          ...(layer === 'core' || layer === 'classify' || layer === 'fallback' || layer === 'retry'
            ? [
                {
                  group: ['@grpc/*', 'thrift', 'ioredis', 'prom-client', '@opentelemetry/*'],
                  message: `src/${layer} knows nothing of RPC libraries, Redis or metrics.`,
                },
              ]
            : []),
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'thrift/gen-*/**',
      'coverage/**',
      'test-artifacts/**',
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  ...layerRules,
);
