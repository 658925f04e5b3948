/**
 * A recorded run's endings (src/run/recorded-run.ts), on real files: the normal one, the
 * failed one (an "error" end line, the failure rethrown), and the abort that reserved the
 * end line while the sending was still ending (the race a second Ctrl-C starts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordedRun, recordRun } from '../../src/run/recorded-run.js';
import { readRecording } from '../../src/record/reader.js';
import { RECORDING_VERSION, type EndLine, type RecordLine, type RunLine } from '../../src/record/types.js';
import { temporaryFolder } from '../support/spawn-cli.js';

const folder = temporaryFolder('recorded-run');
const runLine: RunLine = {
  type: 'run',
  v: RECORDING_VERSION,
  tool: { name: 'aoai-probe', version: 'test' },
  command: 'burst',
  startedAt: '2026-01-01T00:00:00.000Z',
  advertised: { tpm: null, rpm: null, source: 'none' },
  targets: [{ id: 'default', kind: 'azure', url: 'http://127.0.0.1:1/x', deployment: null }],
  payload: { kind: 'chat', model: null, maxTokens: null, promptTokens: null, stream: false },
};

async function linesOf(path: string): Promise<RecordLine[]> {
  const lines: RecordLine[] = [];
  for await (const line of readRecording(path)) lines.push(line);
  return lines;
}

describe('a recorded run', () => {
  it('ends with the ending the sending returns', async () => {
    const path = join(folder, 'completed.ndjson');
    const recording = RecordedRun.open({ path, fsync: false });
    recording.start(runLine);
    await recordRun(recording, { now: () => 12 }, async () => ({ reason: 'budget', unsent: 3 }));
    const lines = await linesOf(path);
    expect(lines.map((line) => line.type)).toEqual(['run', 'end']);
    expect(lines[1]).toEqual({ type: 'end', reason: 'budget', endMs: 12, sent: 0, dropped: 0, unsent: 3 });
  });

  it('writes an "error" end line with the message when the sending throws, and rethrows', async () => {
    const path = join(folder, 'failed.ndjson');
    const recording = RecordedRun.open({ path, fsync: false });
    recording.start(runLine);
    await expect(
      recordRun(recording, { now: () => 5 }, async () => {
        throw new Error('the transport broke');
      }),
    ).rejects.toThrow('the transport broke');
    const end = (await linesOf(path)).at(-1) as EndLine;
    expect(end).toMatchObject({ type: 'end', reason: 'error', endMs: 5, message: 'the transport broke' });
  });

  it('leaves the end line to an abort that reserved it, even when the sending ends first', async () => {
    const path = join(folder, 'aborted.ndjson');
    const recording = RecordedRun.open({ path, fsync: false });
    recording.start(runLine);
    recording.reserveEnd();
    await recordRun(recording, { now: () => 7 }, async () => ({ reason: 'interrupted' }));
    // The abort's own ending, after the sending's.
    recording.end({ reason: 'interrupted', message: 'aborted by a second interrupt' }, 9, true);
    await recording.close();
    const ends = (await linesOf(path)).filter((line): line is EndLine => line.type === 'end');
    expect(ends).toEqual([{ type: 'end', reason: 'interrupted', endMs: 9, sent: 0, dropped: 0, message: 'aborted by a second interrupt' }]);
  });
});
