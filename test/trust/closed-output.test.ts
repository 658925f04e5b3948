/**
 * A reader that leaves early (`aoai-probe report run.ndjson --format html | head`,
 * `aoai-probe burst --json | head -1`) is not an error of the program: no stack trace,
 * and a live run still finishes its recording.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, hasStackTrace, startCli, temporaryFolder } from '../support/spawn-cli.js';

let folder: string;

beforeAll(() => {
  ensureBuilt();
  folder = temporaryFolder('closed-output');
}, 240_000);

describe('stdout closed by its reader', () => {
  it('a live run finishes its recording and exits without a stack trace', async () => {
    const recording = join(folder, 'closed.ndjson');
    const cli = startCli(['burst', '--size', '5', '--format', 'html', '--record', recording], { cwd: folder });
    // The reader goes away before the program writes anything to stdout.
    cli.child.stdout!.destroy();
    const run = await cli.done;
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(0);
    const lines = readFileSync(recording, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'end', reason: 'completed', sent: 5 });

    // And `report` of that recording, read by a reader that stops after the first bytes.
    const report = startCli(['report', recording, '--format', 'html'], { cwd: folder });
    report.child.stdout!.once('data', () => report.child.stdout!.destroy());
    const reported = await report.done;
    expect(hasStackTrace(reported.stderr)).toBe(false);
    expect(reported.code).toBe(0);
  });
});
