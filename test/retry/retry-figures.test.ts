/**
 * The retry figures from hand-written recording lines, exactly: callers done and given
 * up, attempts per done caller, refused attempts and their classes, the herd peak, the
 * time until all were done, the waits; then the rule, the best and the verdict. And the
 * table, the JSON and the timeline are the same when read back from a file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseLineBatches, analyseLines } from '../../src/analysis/summarise.js';
import { herdPeak } from '../../src/analysis/retry/herd.js';
import { readRecordingBatches } from '../../src/record/reader.js';
import { renderReport } from '../../src/report/render.js';
import type { RecordLine, RequestLine } from '../../src/record/types.js';
import { temporaryFolder } from '../support/spawn-cli.js';

let seq = 0;
function attempt(policy: string, caller: number, attemptNumber: number, sentMs: number, status: number, waitedMs = 0): RequestLine {
  return {
    type: 'request',
    seq: seq++,
    phase: policy,
    target: policy,
    plannedMs: sentMs,
    sentMs,
    firstByteMs: sentMs + 5,
    doneMs: sentMs + 10,
    status,
    errorKind: null,
    headers: status === 429 ? { 'retry-after-ms': '1000', 'x-ratelimit-remaining-requests': '0' } : {},
    error: status === 429 ? { code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit. Please retry after 1 second.', type: null } : null,
    usage: null,
    estimatedTokens: 100,
    maxTokens: 10,
    clientRequestId: `id-${seq}`,
    caller,
    attempt: attemptNumber,
    policy,
    waitedMs,
  };
}

function recording(): RecordLine[] {
  seq = 0;
  const phase = (name: string, params: Record<string, string | number>) => ({ type: 'phase' as const, name, kind: 'burst' as const, startMs: 0, params: { policy: name, callers: 2, arrival: 'burst', maxAttempts: 3, giveUpAfterMs: 10_000, ...params } });
  return [
    { type: 'run', v: 1, tool: { name: 'aoai-probe', version: 'test' }, command: 'retry', startedAt: '2026-01-01T00:00:00.000Z', advertised: { tpm: null, rpm: null, source: 'none' }, targets: [], payload: { kind: 'chat', model: null, maxTokens: 10, promptTokens: null, stream: false } },
    phase('immediate', {}),
    phase('header-jitter', { 'policy.spread': 1 }),
    // immediate: caller 0 admitted at once; caller 1 refused three times within 30 ms, gives up.
    attempt('immediate', 0, 1, 0, 200),
    attempt('immediate', 1, 1, 0, 429),
    attempt('immediate', 1, 2, 10, 429),
    attempt('immediate', 1, 3, 20, 429),
    // header-jitter: both refused once, retried 1.2 s and 1.7 s later, admitted.
    attempt('header-jitter', 0, 1, 0, 429),
    attempt('header-jitter', 1, 1, 0, 429),
    attempt('header-jitter', 0, 2, 1210, 200, 1200),
    attempt('header-jitter', 1, 2, 1710, 200, 1700),
    { type: 'end', reason: 'completed', endMs: 2000, sent: 7, dropped: 0 },
  ];
}

describe('retry figures', () => {
  it('herd peak: most values within any half-open 100 ms window', () => {
    expect(herdPeak([])).toBe(0);
    expect(herdPeak([0, 50, 99.9, 100, 150])).toBe(3);
    expect(herdPeak([300, 0, 100, 200])).toBe(1);
  });

  it('per policy, from the recording alone', async () => {
    const { summary } = await analyseLines(recording());
    const retry = summary.retry!;
    expect(summary.callers).toEqual({ total: 4, done: 3, gaveUp: 1 });
    expect(retry.policies).toEqual([
      {
        name: 'immediate',
        params: {},
        callers: { total: 2, done: 1, gaveUp: 1 },
        attempts: { total: 4, perDone: 4, refused: 3 },
        herdPeak: 2,
        allDoneSeconds: null,
        waitMs: { p50: 10, p95: 10, max: 10 },
        refusedByClass: { requests: 3, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 },
      },
      {
        name: 'header-jitter',
        params: { spread: 1 },
        callers: { total: 2, done: 2, gaveUp: 0 },
        attempts: { total: 4, perDone: 2, refused: 2 },
        herdPeak: 1,
        allDoneSeconds: 1.72,
        waitMs: { p50: 1220, p95: 1720, max: 1720 },
        refusedByClass: { requests: 2, tokens: 0, capacity: 0, never: 0, quota: 0, gateway: 0, unknown: 0 },
      },
    ]);
    expect(retry.best).toBe('header-jitter');
    expect(retry.rule).toBe('most callers done, then fewest refused attempts per done caller, then lowest p95 wait');
    expect(retry.verdict).toBe(
      'header-jitter is best: all 2 callers done with 2 refused attempts (1.00 per done caller), p95 wait 1.7 s. The others lose — immediate: 1 of 2 callers gave up.',
    );
    expect(summary.verdict).toBe(retry.verdict);
    expect({ arrival: retry.arrival, maxAttempts: retry.maxAttempts, giveUpAfterSeconds: retry.giveUpAfterSeconds }).toEqual({ arrival: 'burst', maxAttempts: 3, giveUpAfterSeconds: 10 });
  });

  it('the table, the JSON and the HTML are the same from a file as from the lines', async () => {
    const lines = recording();
    const folder = temporaryFolder('retry-figures');
    const path = join(folder, 'lab.ndjson');
    writeFileSync(path, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const live = await analyseLines(lines, { recordingPath: path });
    const replayed = await analyseLineBatches(readRecordingBatches(path), { recordingPath: path });
    for (const format of ['table', 'json', 'html'] as const) expect(renderReport(replayed, { format, color: false })).toBe(renderReport(live, { format, color: false }));
    const table = renderReport(live, { format: 'table', color: false, width: 100 });
    expect(table).toContain('2 callers arriving at once per policy, each needs one answer; up to 3 attempts, give up after 10 s');
    expect(table).toMatch(/header-jitter\s+2\s+0\s+2\.00\s+2\s+1\/100ms\s+1\.7 s\s+1\.7 s/);
    expect(table).toMatch(/immediate\s+1\s+1\s+4\.00\s+3\s+2\/100ms\s+gave up\s+0\.0 s/);
    expect(renderReport(live, { format: 'html', color: false })).toContain('Retry policies side by side');
  });
});
