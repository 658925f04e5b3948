/**
 * The real `report` command, spawned as a user runs it (`node bin/aoai-probe.js`),
 * for the exit codes CI depends on: expectations met → 0, unmet → 3 with each
 * expression and its measured value on stderr, malformed → 2. Builds dist/ first.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { ROOT, ensureBuilt, runCli, temporaryFolder } from '../support/spawn-cli.js';
import { seedRecordingLines, writeRecording } from './recording-fixture.js';

let folder: string;
let recording: string;

function aoaiProbe(...args: string[]) {
  return runCli(args, { cwd: folder });
}

beforeAll(() => {
  ensureBuilt();
  expect(existsSync(join(ROOT, 'dist', 'cli', 'commands', 'report.js'))).toBe(true);
  folder = temporaryFolder('report-cli');
  recording = join(folder, 'seed.ndjson');
  writeRecording(recording, seedRecordingLines());
}, 120_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('node bin/aoai-probe.js report', () => {
  it('exits 0 when the expectations are met', async () => {
    const result = await aoaiProbe('report', recording, '--format', 'json', '--expect', 'requests.sent == 10', '--expect', 'latency.p95 < 2s');
    expect(result.stderr).toBe('aoai-probe: all 2 expectations met\n');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout).requests.sent).toBe(10);
  });

  it('exits 3 and names each unmet expression with its measured value', async () => {
    const result = await aoaiProbe('report', recording, '--expect', 'throttled.ratio < 0.01', '--expect', 'requests.failed == 0');
    expect(result.code).toBe(EXIT.expectations);
    expect(result.stderr).toContain('aoai-probe: 1 of 2 expectations not met:');
    expect(result.stderr).toContain('✗ throttled.ratio < 0.01  (measured 0.5 (50 %))');
    expect(result.stdout).toContain('5 of 10 requests refused');
  });

  it('exits 2 on a malformed expectation, with the column and a fix', async () => {
    const result = await aoaiProbe('report', recording, '--expect', 'effective.requests.perSecond 4.5');
    expect(result.code).toBe(EXIT.input);
    expect(result.stderr).toContain('expected an operator like >= after effective.requests.perSecond, found "4.5" at column 30');
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming a missing recording', async () => {
    const result = await aoaiProbe('report', join(folder, 'nope.ndjson'));
    expect(result.code).toBe(EXIT.input);
    expect(result.stderr).toContain('nope.ndjson: no such file');
    expect(result.stderr).not.toContain('    at ');
  });
});
