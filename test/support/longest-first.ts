/**
 * The order `npm test` starts its files in: the files known to take longest first, in
 * the order listed, then everything else in vitest's own order.
 *
 * Why: vitest starts the files it has timings for longest first, but a fresh checkout
 * (CI) has none, and then it starts the largest files first. The slowest files here
 * are small (a fake-clock accuracy table is a few dozen lines), so they started last,
 * and the run ended with one of them running alone on one worker while the other
 * workers sat idle. Started first, they overlap everything else.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Builds a sequencer class that starts `longest` (paths from the root, slowest first) before the rest. */
export function longestFirst(longest: readonly string[]): new (...args: ConstructorParameters<typeof BaseSequencer>) => BaseSequencer {
  return class LongestFirst extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files);
      const root = this.ctx.config.root;
      const rank = (file: TestSpecification): number => {
        const position = longest.indexOf(relative(root, file.moduleId).split('\\').join('/'));
        return position < 0 ? longest.length : position;
      };
      // The groups stay in their order; within a group the listed files come first, and
      // the files not listed keep vitest's order (a stable sort).
      const group = (file: TestSpecification): number => file.project.config.sequence.groupOrder ?? 0;
      return sorted
        .map((file, index) => ({ file, index, group: group(file), rank: rank(file) }))
        .sort((a, b) => a.group - b.group || a.rank - b.rank || a.index - b.index)
        .map((entry) => entry.file);
    }
  };
}
