// StrykerJS config for `npm run test:mutation [folder…]` (see scripts/mutation.mjs): one source
// folder per run, chosen by MUTATE_FOLDER, each with its own incremental file under reports/ so
// that a re-run only tests mutants whose code or covering tests changed.
const folder = process.env.MUTATE_FOLDER ?? 'core';
const slug = folder.replace(/[^a-z0-9]+/gi, '-');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: [`src/${folder}/**/*.ts`, `!src/${folder}/**/index.ts`],
  // One test process: the machine is shared; a mutant that loops is cut off by the timeout.
  concurrency: 1,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: `reports/mutation/${slug}.incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${slug}.html` },
  jsonReporter: { fileName: `reports/mutation/${slug}.json` },
  tempDirName: `.stryker-tmp/${slug}`,
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
