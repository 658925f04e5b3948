/**
 * Figures and words the verdict and tables used to get wrong, checked on recordings
 * built line by line: a ramp's knee, the first refusal of a burst in arrival order,
 * failures by kind, the shape's confidence, and a plain HTTP target's wording.
 */
import { describe, expect, it } from 'vitest';
import { failureKey } from '../../src/analysis/failures.js';
import { analyseLines } from '../../src/analysis/summarise.js';
import type { RecordLine } from '../../src/record/types.js';
import { limitRows, verdictHeadline } from '../../src/report/summary-rows.js';
import { endLine, phaseLine, request, runLine } from './records.js';

const REFUSAL = { code: '429', message: 'Too many requests', type: null };

describe('a ramp\'s knee', () => {
  it('is the planned offered rate at the first refused request, not the limiter\'s cap read back from sends', async () => {
    // A ramp from 1/s rising 2/s every second: request k is planned at t with t + t² = k.
    // A sliding log of 5 per second refuses the first request that finds 5 admitted in the second before it.
    const fromPerSecond = 1;
    const durationMs = 10_000;
    const toPerSecond = fromPerSecond + (2 * durationMs) / 1000;
    const lines: RecordLine[] = [runLine({ command: 'ramp' }), phaseLine('ramp', 'ramp', 0, { fromPerSecond, toPerSecond, durationMs })];
    const admitted: number[] = [];
    let firstRefusedMs: number | null = null;
    for (let k = 0; (-1 + Math.sqrt(1 + 4 * k)) / 2 < durationMs / 1000; k++) {
      const plannedMs = (1000 * (-1 + Math.sqrt(1 + 4 * k))) / 2;
      const inWindow = admitted.filter((at) => at > plannedMs - 1000).length;
      const refused = inWindow >= 5;
      if (refused) firstRefusedMs ??= plannedMs;
      else admitted.push(plannedMs);
      lines.push(request(k, { phase: 'ramp', plannedMs, sentMs: plannedMs + 0.5, firstByteMs: plannedMs + 5, doneMs: plannedMs + 6, ...(refused ? { status: 429, error: REFUSAL, usage: null } : {}) }));
    }
    lines.push(endLine(lines.length - 2, durationMs));
    const { summary } = await analyseLines(lines);
    const offeredAtFirstRefusal = fromPerSecond + ((toPerSecond - fromPerSecond) * firstRefusedMs!) / durationMs;
    expect(summary.effective.requests.kneePerSecond).toBeCloseTo(offeredAtFirstRefusal, 2);
  });
});

describe('the first refusal of a burst', () => {
  it('is counted in arrival order: the server read the last seqs first and refused #0 to #14', async () => {
    const lines: RecordLine[] = [runLine(), phaseLine('burst-1', 'burst', 100, { size: 20 })];
    for (let seq = 0; seq < 20; seq++) {
      lines.push(request(seq, seq < 15 ? { status: 429, error: REFUSAL, usage: null, headers: { 'x-ratelimit-reset-requests': '1' } } : {}));
    }
    lines.push(endLine(20, 400));
    const { summary } = await analyseLines(lines);
    expect(summary.throttled.firstSeq).toBe(0);
    expect(summary.throttled.firstInArrivalOrder).toBe(5);
    expect(verdictHeadline(summary)).toBe('15 of 20 requests refused, the first at #5 in arrival order (#0 as sent)');
  });

  it('outside a burst is the lowest refused seq', async () => {
    const lines: RecordLine[] = [runLine({ command: 'steady' }), phaseLine('steady', 'steady', 0, {})];
    for (let seq = 0; seq < 6; seq++) {
      const at = seq * 200;
      lines.push(request(seq, { phase: 'steady', plannedMs: at, sentMs: at, firstByteMs: at + 5, doneMs: at + 6, ...(seq >= 4 ? { status: 429, error: REFUSAL, usage: null } : {}) }));
    }
    lines.push(endLine(6, 1200));
    const { summary } = await analyseLines(lines);
    expect(summary.throttled.firstInArrivalOrder).toBe(4);
    expect(verdictHeadline(summary)).toBe('2 of 6 requests refused, the first at request #4');
  });
});

describe('failures by kind', () => {
  it('names an answer by its status and a broken exchange by its errorKind', () => {
    expect(failureKey({ status: 401, errorKind: 'http' })).toBe('401');
    expect(failureKey({ status: 301, errorKind: 'http' })).toBe('301');
    expect(failureKey({ status: 200, errorKind: 'bad-body' })).toBe('bad-body');
    expect(failureKey({ status: 200, errorKind: 'reset' })).toBe('reset');
    expect(failureKey({ status: null, errorKind: 'timeout' })).toBe('timeout');
    expect(failureKey({ status: null, errorKind: null })).toBe('unknown');
  });
});

describe('the shape row', () => {
  it('shows no confidence next to an unknown shape, and keeps it next to a known one', async () => {
    const lines: RecordLine[] = [runLine(), phaseLine('burst-1', 'burst', 100, { size: 8 })];
    for (let seq = 0; seq < 8; seq++) lines.push(request(seq, seq >= 5 ? { status: 429, error: REFUSAL, usage: null, headers: { 'x-ratelimit-reset-requests': '1' } } : {}));
    lines.push(endLine(8, 400));
    const { summary } = await analyseLines(lines);
    expect(summary.effective.requests).toMatchObject({ shape: 'unknown', confidence: 'high' });
    expect(limitRows(summary).find((row) => row.label === 'shape')!.effective).toBe('unknown');
    const known = { ...summary, effective: { ...summary.effective, requests: { ...summary.effective.requests, shape: 'sliding-window' as const } } };
    expect(limitRows(known).find((row) => row.label === 'shape')!.effective).toBe('sliding-window (high)');
  });
});

describe('a plain HTTP target with nothing advertised', () => {
  it('is asked for the request rate it promises, not for Azure\'s token figures', async () => {
    const lines: RecordLine[] = [
      runLine({ advertised: { tpm: null, rpm: null, source: 'none' }, targets: [{ id: 'default', kind: 'http', url: 'http://127.0.0.1:8080/api', deployment: null }] }),
      phaseLine('burst-1', 'burst', 100, { size: 4 }),
    ];
    for (let seq = 0; seq < 4; seq++) lines.push(request(seq, seq >= 2 ? { status: 503, error: { code: null, message: '503 Service Temporarily Unavailable', type: null, shape: 'text' }, usage: null } : {}));
    lines.push(endLine(4, 400));
    const { summary } = await analyseLines(lines);
    expect(summary.throttled.byClass.gateway).toBe(2);
    expect(summary.verdict).toContain('give --rpm');
    expect(summary.verdict).not.toMatch(/--tpm|quota|provisioned throughput|tokens/i);
  });
});
