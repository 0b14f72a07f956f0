// `node scripts/mutation-survivors.mjs <folder> [file-substring]`: the mutants of the last
// `npm run test:mutation` run over src/<folder> that no test killed (Survived, NoCoverage), one line
// each — file:line:column, mutator, and the replacement — read from reports/mutation/<folder>.json.
import { readFileSync } from 'node:fs';

const [folder = 'core', only = ''] = process.argv.slice(2);
const slug = folder.replace(/[^a-z0-9]+/gi, '-');
const report = JSON.parse(readFileSync(`reports/mutation/${slug}.json`, 'utf8'));
let n = 0;
for (const [file, { mutants }] of Object.entries(report.files)) {
  if (!file.includes(only)) continue;
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    n++;
    const at = `${file}:${m.location.start.line}:${m.location.start.column}`;
    const replacement = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100);
    console.log(`${at}  ${m.status}  ${m.mutatorName}  → ${replacement}`);
  }
}
console.log(`${n} mutants not killed`);
