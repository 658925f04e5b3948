/**
 * `aoai-probe report` gives byte for byte the output it gave before the reader and the
 * analysis were made faster. Each case is a committed recording (or several) made by
 * the real CLI against the simulator — see test/fixtures/report-sameness/README.md —
 * and its golden files hold what the code printed before any speed work: the `--format
 * json` and markdown outputs, stderr, and the whole analysis result (summary, timeline,
 * per-target rows, warnings, retry timelines) with sorted keys, so a figure that no
 * output shows yet is pinned too.
 *
 * A difference is a change in what users see: review it, then regenerate with
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/report/report-sameness.test.ts
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseLineBatches } from '../../src/analysis/summarise.js';
import { main } from '../../src/cli/main.js';
import { readRecordingsBatches } from '../../src/record/reader.js';
import { fakeIo } from './fake-io.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/report-sameness/', import.meta.url));
const REPORT_GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
/** Lines of the synthetic recording: past the 10-s window of 10,000 requests, so its refusals and refills repeat. */
const SYNTHETIC_LINES = 25_000;

/** Each case: its name, and the recordings `report` is given (relative to the fixture folder, or absolute). */
const CASES: { name: string; files: () => string[] }[] = [
  { name: 'multi-target-stream-faults', files: () => ['multi.ndjson'] },
  { name: 'gateway-scenario', files: () => ['gateway.ndjson'] },
  { name: 'retry-lab', files: () => ['retry.ndjson'] },
  { name: 'burst-with-retry', files: () => ['burstretry.ndjson'] },
  { name: 'realtime-sessions', files: () => ['realtime.ndjson'] },
  { name: 'ramp-with-drops', files: () => ['ramp.ndjson'] },
  { name: 'cut-off-last-line', files: () => ['cut-off.ndjson'] },
  { name: 'shards-folder', files: () => ['shards'] },
  { name: 'merged-two-runs', files: () => ['ramp.ndjson', 'gateway.ndjson'] },
  { name: 'probe-run', files: () => [join(REPORT_GOLDEN, 'probe-run.ndjson')] },
  { name: 'scenario-run', files: () => [join(REPORT_GOLDEN, 'scenario-run.ndjson')] },
  { name: 'synthetic-steady', files: () => [synthetic] },
];

let scratch: string;
let synthetic: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'aoai-probe-sameness-'));
  synthetic = join(scratch, 'synthetic.ndjson');
  // The bench's own generator (deterministic): a recording of this size is too large to commit.
  const generator = (await import(pathToFileURL(fileURLToPath(new URL('../../bench/lib/synth-recording.js', import.meta.url))).href)) as {
    writeSyntheticRecording: (file: string, requests: number) => Promise<void>;
  };
  await generator.writeSyntheticRecording(synthetic, SYNTHETIC_LINES);
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** JSON with every object's keys sorted: the figures, whatever order the analysis built its objects in. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, inner: unknown) => {
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
      return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    },
    1,
  );
}

/** Recording paths as the golden files name them, the same in every clone and temporary folder. */
function displayed(text: string): string {
  const folders: [string, string][] = [
    [scratch, '<scratch>'],
    [REPORT_GOLDEN.replace(/\/$/, ''), '<report-golden>'],
    [FIXTURES.replace(/\/$/, ''), '<fixtures>'],
  ];
  return folders.reduce((shown, [folder, name]) => shown.split(folder).join(name), text);
}

/** A folder stands for its .ndjson files in name order, as `report` reads it. */
function filesOf(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.ndjson'))
    .sort()
    .map((name) => join(path, name));
}

async function report(files: string[], format: string): Promise<{ out: string; err: string; code: number }> {
  const io = fakeIo(['report', ...files, '--format', format], { cwd: FIXTURES });
  await main(io);
  return { out: displayed(io.out()), err: displayed(io.err()), code: io.exitCode() };
}

function matchesGolden(file: string, actual: string): void {
  const path = join(FIXTURES, 'golden', file);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`${path} is missing; generate it with UPDATE_GOLDEN=1`);
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('report prints what it printed before the speed work', () => {
  for (const { name, files } of CASES) {
    it(`${name}: --format json, markdown, stderr and the whole analysis result`, async () => {
      const json = await report(files(), 'json');
      expect(json.code).toBe(0);
      const markdown = await report(files(), 'markdown');
      const absolute = files().map((file) => (file.startsWith('/') ? file : join(FIXTURES, file)));
      const warnings: string[] = [];
      const result = await analyseLineBatches(readRecordingsBatches(absolute.flatMap(filesOf), { onWarning: (message) => warnings.push(message) }), {
        recordingPath: files().join(','),
        warnings,
      });
      matchesGolden(`${name}.json`, json.out);
      matchesGolden(`${name}.md`, markdown.out);
      matchesGolden(`${name}.stderr.txt`, json.err);
      matchesGolden(`${name}.result.json`, displayed(canonical(result)));
    });
  }
});
