import { defineConfig } from 'vitest/config';

/**
 * Vitest config for `npm run test:mutation` (StrykerJS): the unit tests only, no real servers, so
 * a mutant that makes a call hang costs one short timeout rather than a server start.
 */
export default defineConfig({
  test: {
    include: [
      'test/core/**/*.test.ts',
      'test/classify/**/*.test.ts',
      'test/fallback/**/*.test.ts',
      'test/retry/**/*.test.ts',
      'test/registry/**/*.test.ts',
      'test/config/policy*.test.ts',
      'test/storage/memory-state-store.test.ts',
    ],
    testTimeout: 10_000,
  },
});
