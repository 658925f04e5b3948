/**
 * `aoai-probe deploy github`: a GitHub Actions workflow that runs a scenario split over a
 * matrix of N jobs and merges their recordings into one report (docs/sharding.md).
 *
 *   plan   fixes the shared start: a few minutes ahead, in ISO 8601, as a job output.
 *          Why not the coordinator: hosted runners cannot reach each other, so each shard
 *          sleeps to `--start-at` on its own clock (Azure VMs keep it right with chrony);
 *          a job that starts after it starts at once, and the merged report shows and
 *          flags the spread.
 *   shard  the matrix: one job per shard (a label each, round-robin, when given), the key
 *          from an Actions secret, its recording uploaded as the artefact `shard-INDEX`.
 *   merge  downloads every `shard-*` artefact into one folder and runs `report` on it;
 *          `report` appends the markdown to $GITHUB_STEP_SUMMARY by itself, and the
 *          scenario's `expect:` checks are evaluated here, on the merged result only.
 */
import { RECORDINGS_FOLDER, packageSpec } from './common.js';

/** What the user chose. */
export interface GithubOptions {
  name: string;
  shards: number;
  /** The scenario's path in the repository, as the jobs see it after checkout. */
  scenarioPath: string;
  /** The scenario's `expect:` lines, checked by the merge job. */
  expectations: readonly string[];
  /** Labels (regions, pools) handed to the shards in turn; empty for none. */
  labels: readonly string[];
  /** The Actions secret holding the key, and the variable it is handed over in. */
  secretName: string;
  keyVariable: string;
  /** Minutes between the plan job and the shared start. */
  leadMinutes: number;
  /** Extra flags for every shard (e.g. --yes). */
  extraArgs: readonly string[];
}

/** GitHub stops a matrix at 256 jobs. */
export const MAX_MATRIX_JOBS = 256;

/** Quotes one shell word for the `run:` scripts. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The workflow as a plain object (serialised to YAML by the command). */
export function githubWorkflow(options: GithubOptions): Record<string, unknown> {
  const shardIndexes = Array.from({ length: options.shards }, (_, index) => index);
  const matrix =
    options.labels.length === 0
      ? { shard: shardIndexes }
      : { include: shardIndexes.map((shard) => ({ shard, label: options.labels[shard % options.labels.length]! })) };
  const record = `${RECORDINGS_FOLDER}/shard-\${{ matrix.shard }}.ndjson`;
  const shardRun = [
    'npx',
    '--yes',
    packageSpec(),
    'run',
    shellWord(options.scenarioPath),
    '--shard',
    `\${{ matrix.shard }}/${options.shards}`,
    '--start-at',
    '"${{ needs.plan.outputs.start-at }}"',
    ...(options.labels.length > 0 ? ['--shard-label', '"${{ matrix.label }}"'] : []),
    '--record',
    record,
    '--quiet',
    ...options.extraArgs.map(shellWord),
  ].join(' ');
  const mergeRun = ['npx', '--yes', packageSpec(), 'report', `${RECORDINGS_FOLDER}/`, '--format', 'markdown', ...options.expectations.flatMap((expression) => ['--expect', shellWord(expression)])].join(' ');
  const setupNode = { uses: 'actions/setup-node@v4', with: { 'node-version': 22 } };
  return {
    name: `aoai-probe ${options.name} (${options.shards} shards)`,
    on: { workflow_dispatch: {} },
    permissions: { contents: 'read' },
    jobs: {
      plan: {
        'runs-on': 'ubuntu-latest',
        outputs: { 'start-at': '${{ steps.start.outputs.start-at }}' },
        steps: [{ id: 'start', name: 'Fix the shared start', run: `echo "start-at=$(date -u -d '+${options.leadMinutes} minutes' +%Y-%m-%dT%H:%M:%SZ)" >> "$GITHUB_OUTPUT"` }],
      },
      shard: {
        needs: 'plan',
        'runs-on': 'ubuntu-latest',
        strategy: { 'fail-fast': false, matrix },
        steps: [
          { uses: 'actions/checkout@v4' },
          setupNode,
          {
            name: `Shard \${{ matrix.shard }} of ${options.shards}`,
            env: { [options.keyVariable]: `\${{ secrets.${options.secretName} }}` },
            run: `mkdir -p ${RECORDINGS_FOLDER}\n${shardRun}`,
          },
          {
            name: 'Keep the recording',
            if: 'always()',
            uses: 'actions/upload-artifact@v4',
            with: { name: 'shard-${{ matrix.shard }}', path: record, 'if-no-files-found': 'error' },
          },
        ],
      },
      merge: {
        needs: 'shard',
        if: 'always()',
        'runs-on': 'ubuntu-latest',
        steps: [
          setupNode,
          { uses: 'actions/download-artifact@v4', with: { pattern: 'shard-*', path: RECORDINGS_FOLDER, 'merge-multiple': true } },
          { name: 'One report of every shard', run: mergeRun },
        ],
      },
    },
  };
}
