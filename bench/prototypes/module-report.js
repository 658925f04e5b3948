/**
 * aoai-probe's report path through its public modules (readRecording → analyseLines), for
 * when this build has no `report` command yet. Prints the request count it analysed.
 *
 *   node bench/prototypes/module-report.js REPO_ROOT FILE
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [repoRoot, file] = process.argv.slice(2);
const load = (relative) => import(pathToFileURL(path.join(repoRoot, relative)).href);
const { readRecording } = await load('dist/record/reader.js');
const { analyseLines } = await load('dist/analysis/summarise.js');
const result = await analyseLines(readRecording(file));
process.stdout.write(`${JSON.stringify({ keys: Object.keys(result) })}\n`);
