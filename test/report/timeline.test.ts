import { describe, expect, it } from 'vitest';
import { renderTimeline } from '../../src/report/timeline.js';
import { emptySlice, noRefusalResult, seedStoryResult, steadyManySlicesResult } from './fixtures.js';
import { hasAnsi, widestLine } from './text-width.js';

/** The chart starts after the row labels ("admitted  "). */
const LABEL_WIDTH = 10;

function lines(text: string): string[] {
  return text.split('\n');
}

/** The last row of the refused bars: the row just above the marker. */
function refusedBottomRow(text: string): string {
  const all = lines(text);
  const markerIndex = all.findIndex((line) => line.includes('▲'));
  return all[markerIndex - 1] ?? '';
}

describe('renderTimeline', () => {
  it('starts at the first answer, not at the run start, when the run waited first (simulator start, warm-up)', () => {
    const result = seedStoryResult();
    // The same burst, 1.5 s after the run started: fifteen empty slices in front.
    const shift = 1500;
    result.timeline.slices = [...Array.from({ length: 15 }, (_, index) => emptySlice(index * 100)), ...result.timeline.slices.map((slice) => ({ ...slice, startMs: slice.startMs + shift }))];
    result.timeline.firstRefusalMs = 1540;
    result.timeline.phases = [{ name: 'burst-1', startMs: shift }];
    const text = renderTimeline(result, { color: false });
    expect(lines(text)[0]).toMatch(/^Timeline from 1\.5 s: /);
    const axis = lines(text).find((line) => /^\s+1\.5 s\b/.test(line));
    expect(axis, text).toBeDefined();
    // The bars begin in the chart's first column: no empty stretch of warm-up before them.
    const firstBar = lines(text).find((line) => line.startsWith('refused'))!;
    expect(firstBar[LABEL_WIDTH]).not.toBe(' ');
    expect(text).toContain('first refusal at 1.54 s');
  });

  it('puts the ▲ under the column of the first refusal', () => {
    for (const result of [seedStoryResult(), steadyManySlicesResult()]) {
      const text = renderTimeline(result, { color: false });
      const marker = lines(text).find((line) => line.includes('▲'));
      expect(marker).toBeDefined();
      const markerColumn = [...marker!].indexOf('▲');
      // The first refused bar is drawn in the marker's column.
      const firstRefusedColumn = [...refusedBottomRow(text)].findIndex((character, index) => index >= LABEL_WIDTH && character !== ' ');
      expect(markerColumn).toBe(firstRefusedColumn);
      expect(marker).toContain(`first refusal at ${(result.timeline.firstRefusalMs! / 1000).toString()} s (request #${result.summary.throttled.firstSeq})`);
    }
  });

  it('places the marker from firstRefusalMs, not from the first refused bar', () => {
    const result = steadyManySlicesResult();
    result.timeline.firstRefusalMs = 30_500;
    const text = renderTimeline(result, { color: false });
    const title = lines(text)[0]!;
    expect(title).toContain('one column = 1 s');
    const marker = lines(text).find((line) => line.includes('▲'))!;
    expect([...marker].indexOf('▲')).toBe(LABEL_WIDTH + Math.floor(30_500 / 1000));
  });

  it('fits 80 columns without colour codes, and the requested width', () => {
    for (const result of [seedStoryResult(), noRefusalResult(), steadyManySlicesResult()]) {
      const text = renderTimeline(result, { color: false });
      expect(widestLine(text)).toBeLessThanOrEqual(80);
      expect(hasAnsi(text)).toBe(false);
      expect(widestLine(renderTimeline(result, { color: false, width: 50 }))).toBeLessThanOrEqual(50);
    }
  });

  it('uses a wider terminal, up to 120 columns', () => {
    const result = steadyManySlicesResult();
    result.timeline.slices = result.timeline.slices.slice(0, 200);
    const wide = widestLine(renderTimeline(result, { color: false, width: 200 }));
    expect(wide).toBeGreaterThan(80);
    expect(wide).toBeLessThanOrEqual(120);
  });

  it('labels every row so it reads without colour', () => {
    const text = renderTimeline(steadyManySlicesResult(), { color: false });
    const labels = lines(text).map((line) => line.slice(0, LABEL_WIDTH).trim()).filter((label) => label !== '');
    expect(labels).toEqual(expect.arrayContaining(['admitted', 'refused', 'req. left', 'tok. left']));
    expect(text).toContain('lowest remaining-requests per column');
    expect(text).toContain('lowest remaining-tokens per column');
  });

  it('folds 600 slices into at most 70 columns of a round duration', () => {
    const text = renderTimeline(steadyManySlicesResult(), { color: false });
    expect(lines(text)[0]).toContain('60 s, one column = 1 s');
    const admittedRow = lines(text).find((line) => line.startsWith('admitted'))!;
    expect(admittedRow.length - LABEL_WIDTH).toBeLessThanOrEqual(70);
    const axis = lines(text).find((line) => line.trim().startsWith('0 s'))!;
    expect(axis.trim()).toMatch(/^0 s\s+30 s\s+60 s$/);
  });

  it('says "none" and draws no marker when nothing was refused', () => {
    const text = renderTimeline(noRefusalResult(), { color: false });
    expect(text).toMatch(/^refused\s+none$/m);
    expect(text).not.toContain('▲ first refusal');
  });

  it('says when no remaining-* header was seen', () => {
    const result = noRefusalResult();
    result.timeline.slices = result.timeline.slices.map((slice) => ({ ...slice, remainingRequests: null, remainingTokens: null }));
    const text = renderTimeline(result, { color: false });
    expect(text).toContain('No remaining-* headers were seen.');
    expect(text).not.toContain('req. left');
  });

  it('shows failed and dropped requests when there are any', () => {
    const result = noRefusalResult();
    result.timeline.slices[3] = emptySlice(3000, { sent: 2, failed: 1, dropped: 1 });
    const text = renderTimeline(result, { color: false });
    expect(text).toMatch(/^failed\s+\S/m);
    expect(text).toContain('failed and dropped per column');
  });

  it('marks phase starts and names them, stripped of control characters', () => {
    const result = steadyManySlicesResult();
    result.timeline.phases = [{ name: 'warm-up', startMs: 0 }, { name: 'recovery\u001b[2J', startMs: 40_000 }];
    const text = renderTimeline(result, { color: false });
    const phaseRow = lines(text).find((line) => line.startsWith('phases'))!;
    expect([...phaseRow].indexOf('┆', LABEL_WIDTH + 1)).toBe(LABEL_WIDTH + 40);
    expect(text).toContain('warm-up at 0 s');
    expect(text).toContain('recovery [2J at 40 s');
    expect(text).not.toContain('\u001b');
  });

  it('handles a recording with no slices', () => {
    const result = noRefusalResult();
    result.timeline.slices = [];
    expect(renderTimeline(result, { color: false })).toBe('Timeline: no requests recorded.');
  });

  it('colours the bars when asked', () => {
    const text = renderTimeline(seedStoryResult(), { color: true });
    expect(hasAnsi(text)).toBe(true);
    expect(widestLine(text)).toBeLessThanOrEqual(80);
  });
});
