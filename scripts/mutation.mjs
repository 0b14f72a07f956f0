// `npm run test:mutation [folder…]`: StrykerJS over each src/ folder in turn (default: core,
// classify, fallback, retry, registry), one Stryker process at a time with one test process, then
// a one-line score per folder read from the JSON reports in reports/mutation/.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const DEFAULT_FOLDERS = ['core', 'classify', 'fallback', 'retry', 'registry'];
const folders = process.argv.slice(2).length ? process.argv.slice(2) : DEFAULT_FOLDERS;

for (const folder of folders) {
  if (!existsSync(`src/${folder}`)) {
    console.error(`mutation: no folder src/${folder}`);
    process.exit(2);
  }
}

const scores = [];
for (const folder of folders) {
  console.log(`\nmutation: src/${folder}`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      MUTATE_FOLDER: folder,
      // property tests (fast-check) run 2% of their usual count per mutant
      FC_RUNS_SCALE: process.env.FC_RUNS_SCALE ?? '0.02',
    },
  });
  if (run.status !== 0) {
    console.error(`mutation: stryker failed on src/${folder} (exit ${run.status})`);
    process.exit(run.status ?? 1);
  }
  scores.push(score(folder));
}
console.log('\nmutation score (killed + timed out) / (all − ignored − compile errors):');
for (const s of scores) console.log(`  ${s}`);

function score(folder) {
  const slug = folder.replace(/[^a-z0-9]+/gi, '-');
  const report = JSON.parse(readFileSync(`reports/mutation/${slug}.json`, 'utf8'));
  const count = {};
  for (const file of Object.values(report.files))
    for (const m of file.mutants) count[m.status] = (count[m.status] ?? 0) + 1;
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0);
  const valid =
    Object.values(count).reduce((a, b) => a + b, 0) -
    (count.Ignored ?? 0) -
    (count.CompileError ?? 0) -
    (count.RuntimeError ?? 0);
  const pct = valid ? ((100 * detected) / valid).toFixed(1) : 'n/a';
  return `src/${folder}: ${pct} % (${detected}/${valid}; ${JSON.stringify(count)})`;
}
