/**
 * Writes test/file-durations.json (seconds per test file) from a vitest JSON report, for
 * the longest-first order of `npm test` (test/support/longest-first-sequencer.ts):
 *
 *   npx vitest run --reporter=default --reporter=json --outputFile=/tmp/report.json
 *   node scripts/test-durations.mjs /tmp/report.json
 *
 * Durations from a whole run (not a single file's) are what matter: they include the
 * contention of the files running beside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const reportPath = process.argv[2];
if (reportPath === undefined) {
  console.error('usage: node scripts/test-durations.mjs REPORT.json (from vitest run --reporter=json --outputFile=REPORT.json)');
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const seconds = {};
for (const file of report.testResults) {
  seconds[relative(root, file.name).split('\\').join('/')] = Math.round((file.endTime - file.startTime) / 100) / 10;
}
const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b)));
const out = { note: 'Seconds per test file in a whole `npm test` run; written by scripts/test-durations.mjs, read by test/support/longest-first-sequencer.ts.', seconds: sorted };
writeFileSync(new URL('../test/file-durations.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log(`test/file-durations.json: ${Object.keys(sorted).length} files`);
