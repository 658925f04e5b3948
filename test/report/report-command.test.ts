/**
 * `aoai-probe report` in-process (main() with a captured CliIo): outputs, colour
 * rules, merging, the step summary, warnings, bad input and --expect exit codes.
 * Recordings are written by hand (recording-fixture.ts); every figure checked is
 * the analysis's own, compared with analyseLines on the same lines.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyseLines } from '../../src/analysis/summarise.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/errors.js';
import { renderSummaryJson } from '../../src/report/json.js';
import { fakeIo } from './fake-io.js';
import { seedRecordingLines, writeRecording } from './recording-fixture.js';
import { hasAnsi, widestLine } from './text-width.js';

let folder: string;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'aoai-probe-report-'));
  writeRecording(join(folder, 'seed.ndjson'), seedRecordingLines());
});

afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

async function report(argv: string[], options: { env?: Record<string, string>; tty?: boolean; columns?: number } = {}) {
  const io = fakeIo(['report', ...argv], { cwd: folder, ...options });
  await main(io);
  return io;
}

describe('aoai-probe report: output', () => {
  it('prints the table and timeline on stdout, without colour when stdout is not a TTY', async () => {
    const io = await report(['seed.ndjson']);
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(io.out()).toContain('5 of 10 requests refused, the first at request #6');
    expect(io.out()).toContain('▲ first refusal');
    expect(hasAnsi(io.out())).toBe(false);
    expect(widestLine(io.out())).toBeLessThanOrEqual(80);
    expect(io.err()).toBe('');
  });

  it('colours a TTY unless --no-color or NO_COLOR says no', async () => {
    expect(hasAnsi((await report(['seed.ndjson'], { tty: true, columns: 120 })).out())).toBe(true);
    expect(hasAnsi((await report(['seed.ndjson', '--no-color'], { tty: true })).out())).toBe(false);
    expect(hasAnsi((await report(['seed.ndjson'], { tty: true, env: { NO_COLOR: '1' } })).out())).toBe(false);
    expect(hasAnsi((await report(['seed.ndjson'], { tty: true, env: { NO_COLOR: '' } })).out())).toBe(true);
  });

  it('prints exactly the summary the analysis computes from the same lines', async () => {
    const io = await report(['seed.ndjson', '--format', 'json']);
    const expected = await analyseLines(seedRecordingLines(), { recordingPath: 'seed.ndjson' });
    expect(io.out()).toBe(`${renderSummaryJson(expected.summary)}\n`);
    expect(JSON.parse(io.out()).requests).toEqual({ sent: 10, ok: 5, throttled: 5, failed: 0, dropped: 0 });
  });

  it('writes --out FILE instead of stdout', async () => {
    const io = await report(['seed.ndjson', '--format', 'html', '--out', 'report.html']);
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('aoai-probe: wrote the html report to report.html\n');
    const html = readFileSync(join(folder, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('5 of 10 requests refused');
  });

  it('merges several recordings into one analysis, with a row per target', async () => {
    writeRecording(join(folder, 'west.ndjson'), seedRecordingLines({ targetId: 'west', region: 'West US' }));
    const io = await report(['seed.ndjson', 'west.ndjson', '--format', 'json']);
    const merged = await analyseLines([...seedRecordingLines(), ...seedRecordingLines({ targetId: 'west', region: 'West US' })], { recordingPath: 'seed.ndjson,west.ndjson' });
    expect(JSON.parse(io.out())).toEqual(merged.summary);
    expect(merged.summary.requests.sent).toBe(20);
    expect(merged.summary.recording).toBe('seed.ndjson,west.ndjson');
    expect(merged.byTarget.map((row) => row.target).sort()).toEqual(['default', 'west']);
    const table = (await report(['seed.ndjson', 'west.ndjson'])).out();
    expect(table).toContain('Targets');
    expect(table).toMatch(/west \(West US\)\s+│ 10 sent, 5 admitted, 5 refused/);
  });

  it('appends the markdown report to $GITHUB_STEP_SUMMARY', async () => {
    const summaryFile = join(folder, 'step-summary.md');
    writeFileSync(summaryFile, '# earlier step\n');
    const io = await report(['seed.ndjson', '--format', 'json'], { env: { GITHUB_STEP_SUMMARY: summaryFile } });
    expect(io.exitCode()).toBe(EXIT.ok);
    const written = readFileSync(summaryFile, 'utf8');
    expect(written.startsWith('# earlier step\n## aoai-probe burst: 5 of 10 requests refused')).toBe(true);
    expect(written).toContain('### Timeline');
  });

  it('warns on stderr about a truncated last line and reports the rest', async () => {
    writeRecording(join(folder, 'cut.ndjson'), seedRecordingLines(), true);
    const io = await report(['cut.ndjson', '--format', 'json']);
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(io.err()).toMatch(/^aoai-probe: warning: last line of .*cut\.ndjson is truncated/m);
    expect(JSON.parse(io.out()).requests.sent).toBe(10);
  });
});

describe('aoai-probe report: bad input exits 2 with the fix', () => {
  it('names a missing recording', async () => {
    const io = await report(['missing.ndjson']);
    expect(io.exitCode()).toBe(EXIT.input);
    expect(io.err()).toMatch(/missing\.ndjson: no such file; check the path/);
    expect(io.out()).toBe('');
  });

  it('rejects an unknown format, listing the choices', async () => {
    const io = await report(['seed.ndjson', '--format', 'csv']);
    expect(io.exitCode()).toBe(EXIT.input);
    expect(io.err()).toContain('table, json, markdown, html');
  });

  it('rejects a malformed expectation before reading anything', async () => {
    const io = await report(['missing.ndjson', '--expect', 'latency.p95 => 2s', '--expect', 'latency.p96 < 2s']);
    expect(io.exitCode()).toBe(EXIT.input);
    expect(io.err()).toContain('--expect "latency.p95 => 2s": "=>" is not an operator at column 13');
    expect(io.err()).toContain('did you mean latency.p95');
    expect(io.err()).not.toContain('missing.ndjson');
    expect(io.out()).toBe('');
  });
});

describe('aoai-probe report: --expect and --junit', () => {
  it('exits 0 when every expectation is met', async () => {
    const io = await report(['seed.ndjson', '--format', 'json', '--expect', 'requests.failed == 0', '--expect', 'throttled.ratio <= 50%']);
    expect(io.exitCode()).toBe(EXIT.ok);
    expect(io.err()).toBe('aoai-probe: all 2 expectations met\n');
  });

  it('exits 3 listing each unmet expression with its measured value, after writing the report', async () => {
    const io = await report(['seed.ndjson', '--format', 'json', '--expect', 'requests.failed == 0', '--expect', 'throttled.ratio < 1%', '--expect', 'effective.tokens.perMinute > 1000']);
    expect(io.exitCode()).toBe(EXIT.expectations);
    expect(JSON.parse(io.out()).schema).toBe('aoai-probe/summary@1');
    expect(io.err()).toBe(
      'aoai-probe: 2 of 3 expectations not met:\n' +
        '  ✗ throttled.ratio < 1%  (measured 0.5 (50 %))\n' +
        '  ✗ effective.tokens.perMinute > 1000  (not measured)\n',
    );
  });

  it('writes JUnit XML whether or not the expectations are met', async () => {
    const io = await report(['seed.ndjson', '--format', 'json', '--expect', 'throttled.ratio < 1%', '--junit', 'results.xml']);
    expect(io.exitCode()).toBe(EXIT.expectations);
    const xml = readFileSync(join(folder, 'results.xml'), 'utf8');
    expect(xml).toContain('tests="1" failures="1"');
    expect(xml).toContain('throttled.ratio &lt; 1%: measured 0.5 (50 %)');
  });

  it('lists the expectations in the markdown report', async () => {
    const io = await report(['seed.ndjson', '--format', 'markdown', '--expect', 'requests.failed == 0']);
    expect(io.out()).toContain('### Expectations: all met');
  });
});
