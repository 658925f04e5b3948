/**
 * The order `npm test` starts its files in: longest first, from the durations of a
 * whole earlier run kept in test/file-durations.json.
 *
 * Why: with a few workers, a long file that starts last keeps one worker busy long after
 * the others are idle (the classic longest-processing-time rule: start the long jobs
 * first). vitest does this by itself from its cache, but the cache lives in
 * node_modules, which a clean install (CI, a fresh clone) does not have: it then orders
 * by file size, and the fake-clock accuracy files started in the last third of the CPU
 * group. The durations file is committed instead; `node scripts/test-durations.mjs
 * REPORT.json` refreshes it from a `vitest run --reporter=json --outputFile=REPORT.json`.
 *
 * A file the list does not know yet (a new one) starts first: it may be long, and a
 * short file started early costs nothing. Files of equal standing keep vitest's own order.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Seconds per test file (path from the project root), from the last whole run. */
function knownDurations(root: string): Map<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(`${root}/test/file-durations.json`, 'utf8')) as { seconds: Record<string, number> };
    return new Map(Object.entries(parsed.seconds));
  } catch {
    return new Map();
  }
}

/** vitest's sequencer with its sort replaced by "longest known duration first". */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const durations = knownDurations(root);
    const ownOrder = await super.sort(files);
    const position = new Map(ownOrder.map((file, index) => [file, index]));
    const weight = (file: TestSpecification): number => durations.get(relative(root, file.moduleId).split('\\').join('/')) ?? Number.POSITIVE_INFINITY;
    return [...ownOrder].sort((a, b) => weight(b) - weight(a) || position.get(a)! - position.get(b)!);
  }
}
