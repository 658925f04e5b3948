/**
 * Ctrl-C, with real signals sent to the real CLI:
 *   - the first stops scheduling, lets in-flight requests finish (bounded grace), writes
 *     the end line `interrupted`, prints the summary of what was measured, exit 130
 *     (a steady run, and a probe mid-experiment);
 *   - the second cuts what is in flight and leaves at once, exit 130, with a readable
 *     recording whose end line counts every request line.
 * Every request that left the machine (seen by the server) is in the recording.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndLine, RecordLine, RequestLine } from '../../src/record/types.js';
import type { Summary } from '../../src/analysis/summary-types.js';
import { readRecording } from '../../src/record/reader.js';
import { ensureBuilt, hasStackTrace, runCli, startCli, temporaryFolder, waitFor } from '../support/spawn-cli.js';
import { AZURE_PATH, answerOk, startServer, type LoopbackServer } from './support/servers.js';

let folder: string;
const servers: LoopbackServer[] = [];

beforeAll(() => {
  ensureBuilt();
  folder = temporaryFolder('interrupt');
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

function readLines(path: string): RecordLine[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RecordLine);
}

/** Request lines written so far (the file grows while the run goes). */
function requestCount(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((line) => line.startsWith('{"type":"request"')).length;
  } catch {
    return 0;
  }
}

describe('the first Ctrl-C', () => {
  it('stops a steady run against the embedded simulator: exit 130, end line, summary of exactly what was sent', async () => {
    const recording = join(folder, 'steady-sim.ndjson');
    const cli = startCli(['steady', '--rate', '20/s', '--duration', '30s', '--json', '--record', recording], { cwd: folder, timeoutMs: 60_000 });
    await waitFor(() => requestCount(recording) >= 10, 20_000, 'ten request lines');
    const signalledAt = performance.now();
    cli.child.kill('SIGINT');
    const run = await cli.done;
    const afterSignalMs = performance.now() - signalledAt;

    expect(run.stderr).not.toContain('internal error');
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.code).toBe(130);
    // The simulator answers in milliseconds: well inside the 5-s grace (loose bound for a busy box).
    expect(afterSignalMs).toBeLessThan(10_000);
    expect(run.stderr).toContain('Stopping: no new requests');
    expect(run.stderr).toContain(`Recording: ${recording}`);

    const lines = readLines(recording);
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    const end = lines.at(-1) as EndLine;
    const summary = JSON.parse(run.stdout) as Summary;
    expect(end).toMatchObject({ type: 'end', reason: 'interrupted' });
    expect(requests.length).toBeGreaterThanOrEqual(10);
    // Far fewer than the 600 planned: scheduling stopped.
    expect(requests.length).toBeLessThan(600);
    expect(summary.requests.sent).toBe(requests.length);
    expect(end.sent).toBe(requests.length);
    // In-flight requests finished in the grace period: none was cut.
    expect(requests.filter((line) => line.errorKind === 'aborted')).toEqual([]);
    // The summary table of what was measured was printed too.
    expect(run.stderr).toContain('(interrupted)');
  });

  it('stops a probe mid-experiment: exit 130, end line, figures of what was sent, nothing lost', async () => {
    const recording = join(folder, 'probe-sim.ndjson');
    const cli = startCli(['probe', '--json', '--record', recording], { cwd: folder, timeoutMs: 60_000 });
    // Past the first burst and into the later experiments.
    await waitFor(() => requestCount(recording) >= 60, 30_000, 'sixty request lines');
    cli.child.kill('SIGINT');
    const run = await cli.done;

    expect(run.stderr).not.toContain('internal error');
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.code).toBe(130);
    const lines = readLines(recording);
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    const end = lines.at(-1) as EndLine;
    const summary = JSON.parse(run.stdout) as Summary;
    expect(end).toMatchObject({ type: 'end', reason: 'interrupted' });
    expect(summary.requests.sent).toBe(requests.length);
    expect(end.sent).toBe(requests.length);
    expect(requests.filter((line) => line.errorKind === 'aborted')).toEqual([]);
    // The burst was measured before the stop, and the summary says so.
    expect(summary.effective.requests.burst).toBe(5);
    expect(summary.verdict).toMatch(/interrupted; the figures cover what was sent before it stopped/);
  });

  it('lets slow in-flight requests finish within the grace, and records every request the server saw', async () => {
    const server = await startServer((_request, response) => setTimeout(() => answerOk(response), 400));
    servers.push(server);
    const recording = join(folder, 'steady-slow.ndjson');
    const cli = startCli(['steady', '--rate', '20/s', '--duration', '30s', '--url', `${server.origin}${AZURE_PATH}`, '--json', '--record', recording], {
      cwd: folder,
      timeoutMs: 60_000,
    });
    await waitFor(() => server.received.length >= 15, 20_000, 'fifteen requests at the server');
    cli.child.kill('SIGINT');
    const run = await cli.done;

    expect(run.code).toBe(130);
    const lines = readLines(recording);
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    const summary = JSON.parse(run.stdout) as Summary;
    expect(lines.at(-1)).toMatchObject({ type: 'end', reason: 'interrupted', sent: requests.length });
    expect(summary.requests.sent).toBe(requests.length);
    // Every request that reached the server is in the recording, answered in full.
    const recorded = new Map(requests.map((line) => [line.clientRequestId, line]));
    expect(server.received.length).toBeGreaterThanOrEqual(15);
    for (const received of server.received) expect(recorded.get(received.clientRequestId!)).toMatchObject({ status: 200, errorKind: null });
    expect(requests.length).toBe(server.received.length);
  });
});

describe('the second Ctrl-C', () => {
  it('aborts at once with 130 and leaves a readable recording that counts every request line', async () => {
    // A server that never answers: after the first Ctrl-C the run would wait the whole grace.
    const server = await startServer(() => undefined);
    servers.push(server);
    const recording = join(folder, 'steady-abort.ndjson');
    const cli = startCli(['steady', '--rate', '20/s', '--duration', '30s', '--url', `${server.origin}${AZURE_PATH}`, '--json', '--record', recording], {
      cwd: folder,
      timeoutMs: 60_000,
    });
    await waitFor(() => server.received.length >= 10, 20_000, 'ten requests at the server');
    cli.child.kill('SIGINT');
    await waitFor(() => cli.stderr().includes('Stopping: no new requests'), 10_000, 'the first Ctrl-C to be seen');
    const secondAt = performance.now();
    cli.child.kill('SIGINT');
    const run = await cli.done;
    const afterSecondMs = performance.now() - secondAt;

    expect(run.code).toBe(130);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr).not.toContain('internal error');
    expect(run.stderr).toContain(`Aborted. Recording: ${recording}`);
    // "At once": well before the 5-s grace the first Ctrl-C would have waited (loose for a busy box).
    expect(afterSecondMs).toBeLessThan(3_000);

    // Readable by the real reader, with no warning (nothing half-written).
    const warnings: string[] = [];
    const lines: RecordLine[] = [];
    for await (const line of readRecording(recording, { onWarning: (warning) => warnings.push(warning) })) lines.push(line);
    expect(warnings).toEqual([]);
    const requests = lines.filter((line): line is RequestLine => line.type === 'request');
    const ends = lines.filter((line): line is EndLine => line.type === 'end');
    expect(ends).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ type: 'end', reason: 'interrupted', sent: requests.length, message: 'aborted by a second interrupt' });
    // Every request in flight was cut and recorded as such, and every one the server saw is there.
    expect(requests.length).toBeGreaterThanOrEqual(10);
    expect(requests.every((line) => line.errorKind === 'aborted' && line.status === null)).toBe(true);
    const recorded = new Set(requests.map((line) => line.clientRequestId));
    for (const received of server.received) expect(recorded.has(received.clientRequestId!)).toBe(true);

    // `report` reads it back and counts the same requests.
    const report = await runCli(['report', recording, '--format', 'json'], { cwd: folder });
    expect(report.code).toBe(0);
    expect((JSON.parse(report.stdout) as Summary).requests.sent).toBe(requests.length);
  });
});
