import { describe, expect, it } from 'vitest';
import { analyseLines } from '../../src/analysis/summarise.js';
import { MAX_LATENCY_POINTS, TimelineBuilder, chooseSliceMs } from '../../src/analysis/timeline.js';
import type { RecordLine } from '../../src/record/types.js';
import { AZURE_CALL_RATE, AZURE_TOKEN_RATE, endLine, phaseLine, request, runLine } from './records.js';

describe('chooseSliceMs', () => {
  it.each([
    [0, 50, 100],
    [500, 50, 100],
    [6000, 50, 100],
    [6001, 50, 250],
    [20_000, 50, 500],
    [60_000, 50, 1000],
    [61_000, 500, 2000],
    [10 * 60_000, 500, 10_000],
    [15 * 60_000, 500, 15_000],
    [3_600_000, 5000, 60_000],
    [24 * 3_600_000, 60_000, 1_800_000],
  ])('a %d ms run stored in %d ms buckets → %d ms slices', (span, width, slice) => {
    expect(chooseSliceMs(span, width)).toBe(slice);
    expect(slice % width).toBe(0);
    expect(Math.ceil(span / slice)).toBeLessThanOrEqual(60);
  });
});

describe('TimelineBuilder', () => {
  it('slices counts by the right clocks and keeps the lowest remaining per slice', () => {
    const builder = new TimelineBuilder();
    builder.phase('b', 1000);
    builder.phase('a', 0);
    builder.sent(10);
    builder.answered(150, 'admitted', 140);
    builder.remaining(150, 9, 900);
    builder.sent(20);
    builder.answered(180, 'admitted', 160);
    builder.remaining(180, 8, 950);
    builder.sent(30);
    builder.answered(40, 'refused', null);
    builder.refusal(40, 'requests');
    builder.dropped(590);
    builder.answered(590, 'failed', null);
    const timeline = builder.finish(600);
    expect(timeline.sliceMs).toBe(100);
    expect(timeline.slices).toHaveLength(6);
    expect(timeline.slices[0]).toEqual({ startMs: 0, sent: 3, admitted: 0, refused: 1, failed: 0, dropped: 0, remainingRequests: null, remainingTokens: null, latencyP50Ms: null, latencyMaxMs: null });
    expect(timeline.slices[1]).toEqual({ startMs: 100, sent: 0, admitted: 2, refused: 0, failed: 0, dropped: 0, remainingRequests: 8, remainingTokens: 900, latencyP50Ms: 140, latencyMaxMs: 160 });
    expect(timeline.slices[5]).toMatchObject({ startMs: 500, dropped: 1, failed: 1 });
    expect(timeline.firstRefusalMs).toBe(40);
    expect(timeline.phases).toEqual([{ name: 'a', startMs: 0 }, { name: 'b', startMs: 1000 }]);
    expect(timeline.refusalsByClass).toEqual({ requests: 1 });
  });

  it('keeps at most 2,000 latency points, evenly spread', () => {
    const builder = new TimelineBuilder();
    for (let index = 0; index < 50_000; index++) builder.latencyPoint(index, 100, 200);
    const points = builder.finish(50_000).latencyPoints;
    expect(points).toHaveLength(MAX_LATENCY_POINTS);
    expect(points[0]!.atMs).toBe(0);
    const gaps = points.slice(1).map((point, index) => point.atMs - points[index]!.atMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(16);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(32);
    expect(points[points.length - 1]!.atMs).toBeGreaterThan(45_000);
  });

  it('per-slice p50 is exact for small slices and within 2 % for large ones', () => {
    const builder = new TimelineBuilder();
    const values = Array.from({ length: 1000 }, (_, index) => 100 + ((index * 7919) % 1000));
    values.forEach((value, index) => builder.answered(index * 0.5, 'admitted', value));
    const slice = builder.finish(1000).slices[0]!;
    const sorted = [...values].filter((_, index) => index * 0.5 < 100).sort((a, b) => a - b);
    const expected = sorted[Math.ceil(sorted.length / 2) - 1]!;
    expect(Math.abs(slice.latencyP50Ms! - expected) / expected).toBeLessThan(0.02);
    expect(slice.latencyMaxMs).toBe(Math.max(...sorted));
  });
});

describe('the timeline of a recording', () => {
  it('a 10-minute steady run: ≤ 60 slices, every request counted once, first refusal marked', async () => {
    const lines: RecordLine[] = [runLine({ command: 'steady' }), phaseLine('steady', 'steady', 0)];
    const seconds = 600;
    let seq = 0;
    for (let second = 0; second < seconds; second++) {
      for (let index = 0; index < 4; index++) {
        const sentMs = second * 1000 + index * 250;
        const refused = second >= 300 && index === 3;
        lines.push(
          refused
            ? request(seq++, { phase: 'steady', plannedMs: sentMs, sentMs, doneMs: sentMs + 10, status: 429, error: second % 2 ? AZURE_CALL_RATE : AZURE_TOKEN_RATE, usage: null })
            : request(seq++, { phase: 'steady', plannedMs: sentMs, sentMs, doneMs: sentMs + 100 + index, headers: { 'x-ratelimit-remaining-requests': String(50 - index) } }),
        );
      }
    }
    lines.push(endLine(seq, seconds * 1000));
    const { timeline, summary } = await analyseLines(lines);
    expect(timeline.sliceMs).toBe(10_000);
    expect(timeline.slices).toHaveLength(60);
    const sum = (key: 'sent' | 'admitted' | 'refused'): number => timeline.slices.reduce((total, slice) => total + slice[key], 0);
    expect(sum('sent')).toBe(summary.requests.sent);
    expect(sum('admitted')).toBe(summary.requests.ok);
    expect(sum('refused')).toBe(summary.requests.throttled);
    expect(timeline.slices[29]!.refused).toBe(0);
    expect(timeline.slices[30]!.refused).toBe(10);
    expect(timeline.slices[0]!.remainingRequests).toBe(47);
    expect(timeline.firstRefusalMs).toBe(300_760);
    expect(timeline.refusalsByClass).toEqual({ requests: 150, tokens: 150 });
    expect(summary.requests.ok).toBe(2100);
    expect(timeline.latencyPoints.length).toBe(2000);
  });

  it('a run longer than an hour widens its buckets and still sums up', async () => {
    const lines: RecordLine[] = [runLine({ command: 'steady' })];
    const count = 7200;
    for (let seq = 0; seq < count; seq++) lines.push(request(seq, { phase: 'p', plannedMs: seq * 1000, sentMs: seq * 1000, doneMs: seq * 1000 + 300 }));
    lines.push(endLine(count, count * 1000));
    const { timeline } = await analyseLines(lines);
    expect(timeline.sliceMs).toBe(120_000);
    expect(timeline.slices).toHaveLength(60);
    expect(timeline.slices.every((slice) => slice.sent === 120 && slice.admitted === 120)).toBe(true);
    // 120 values per slice: binned, so within 1 % of the true 300 ms.
    expect(Math.abs(timeline.slices[0]!.latencyP50Ms! - 300)).toBeLessThanOrEqual(3);
  });
});
