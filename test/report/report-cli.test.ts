/**
 * The real `report` command, spawned as a user runs it (`node bin/aoai-probe.js`),
 * for the exit codes CI depends on: expectations met → 0, unmet → 3 with each
 * expression and its measured value on stderr, malformed → 2. Builds dist/ first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { seedRecordingLines, writeRecording } from './recording-fixture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let folder: string;
let recording: string;

function aoaiProbe(...args: string[]) {
  const child = spawnSync(process.execPath, [join(root, 'bin', 'aoai-probe.js'), ...args], {
    cwd: folder,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '' },
    timeout: 30_000,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

beforeAll(() => {
  // Emits even when another part of the tree has type errors (tsc's default), so check the output exists.
  spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'ignore' });
  expect(existsSync(join(root, 'dist', 'cli', 'commands', 'report.js'))).toBe(true);
  folder = mkdtempSync(join(tmpdir(), 'aoai-probe-report-cli-'));
  recording = join(folder, 'seed.ndjson');
  writeRecording(recording, seedRecordingLines());
}, 120_000);

afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('node bin/aoai-probe.js report', () => {
  it('exits 0 when the expectations are met', () => {
    const result = aoaiProbe('report', recording, '--format', 'json', '--expect', 'requests.sent == 10', '--expect', 'latency.p95 < 2s');
    expect(result.stderr).toBe('aoai-probe: all 2 expectations met\n');
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout).requests.sent).toBe(10);
  });

  it('exits 3 and names each unmet expression with its measured value', () => {
    const result = aoaiProbe('report', recording, '--expect', 'throttled.ratio < 0.01', '--expect', 'requests.failed == 0');
    expect(result.code).toBe(EXIT.expectations);
    expect(result.stderr).toContain('aoai-probe: 1 of 2 expectations not met:');
    expect(result.stderr).toContain('✗ throttled.ratio < 0.01  (measured 0.5 (50 %))');
    expect(result.stdout).toContain('5 of 10 requests refused');
  });

  it('exits 2 on a malformed expectation, with the column and a fix', () => {
    const result = aoaiProbe('report', recording, '--expect', 'effective.requests.perSecond 4.5');
    expect(result.code).toBe(EXIT.input);
    expect(result.stderr).toContain('expected an operator like >= after effective.requests.perSecond, found "4.5" at column 30');
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming a missing recording', () => {
    const result = aoaiProbe('report', join(folder, 'nope.ndjson'));
    expect(result.code).toBe(EXIT.input);
    expect(result.stderr).toContain('nope.ndjson: no such file');
    expect(result.stderr).not.toContain('    at ');
  });
});
