/**
 * The probe's requests go through the firing loop, so its in-flight ceiling holds for
 * them too: with `--max-in-flight 2` a burst of the probe cannot have more than two
 * requests in flight, and each request past the ceiling is a `dropped` line (reason
 * max-in-flight) that the summary counts. Through the real executable, on the embedded
 * simulator.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary-types.js';
import type { DroppedLine, EndLine, RecordLine, RequestLine } from '../../src/record/types.js';
import { runCli, temporaryFolder } from '../support/spawn-cli.js';

const workDir = temporaryFolder('cli-probe-ceiling');

describe('npx aoai-probe probe --max-in-flight 2', () => {
  it('records the requests past the ceiling as dropped lines', async () => {
    const recording = join(workDir, 'ceiling.ndjson');
    const run = await runCli(['probe', '--max-in-flight', '2', '--budget-requests', '40', '--budget-time', '10s', '--json', '--quiet', '--record', recording], { cwd: workDir, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    const lines = readFileSync(recording, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordLine);
    const dropped = lines.filter((line): line is DroppedLine => line.type === 'dropped');
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((line) => line.reason === 'max-in-flight')).toBe(true);
    // Every dropped line belongs to a probe phase and takes a seq no request has.
    const phases = new Set(lines.filter((line) => line.type === 'phase').map((line) => (line.type === 'phase' ? line.name : '')));
    expect(dropped.every((line) => phases.has(line.phase))).toBe(true);
    const seqs = new Set(requests.map((line) => line.seq));
    expect(dropped.some((line) => seqs.has(line.seq))).toBe(false);
    const end = lines[lines.length - 1] as EndLine;
    expect(end.type).toBe('end');
    expect(end.dropped).toBe(dropped.length);
    expect(summary.requests.dropped).toBe(dropped.length);
    expect(requests.length).toBeLessThanOrEqual(40);
  }, 70_000);
});
