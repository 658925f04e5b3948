import { describe, expect, it } from 'vitest';
import { barRows, sparkline } from '../../src/report/blocks.js';
import { groupTimeline } from '../../src/report/timeline-columns.js';
import { emptySlice, steadyManySlicesResult } from './fixtures.js';

describe('barRows', () => {
  it('fills rows from the bottom, in eighths, on one scale', () => {
    // peak 8 over 1 row: one eighth per unit.
    expect(barRows([0, 1, 4, 8], 8, 1)).toEqual([' ▁▄█']);
    // peak 4 over 2 rows: 16 eighths, 4 per unit.
    expect(barRows([0, 1, 2, 3, 4], 4, 2)).toEqual(['   ▄█', ' ▄███']);
  });

  it('shows any value above zero as at least one eighth', () => {
    expect(barRows([1, 1000], 1000, 3)[2]).toBe('▁█');
  });
});

describe('sparkline', () => {
  it('maps values onto eight levels and leaves gaps for missing values', () => {
    expect(sparkline([0, null, 50, 100], 100)).toBe('▁ ▅█');
  });

  it('clamps values outside 0..max', () => {
    expect(sparkline([-5, 500], 100)).toBe('▁█');
  });
});

describe('groupTimeline', () => {
  it('adds counts and keeps the lowest remaining header and the worst latency per column', () => {
    const timeline = {
      ...steadyManySlicesResult().timeline,
      sliceMs: 100,
      slices: [
        emptySlice(0, { sent: 2, admitted: 2, remainingRequests: 40, latencyP50Ms: 100, latencyMaxMs: 120 }),
        emptySlice(100, { sent: 3, admitted: 1, refused: 2, remainingRequests: 38, latencyP50Ms: 90, latencyMaxMs: 300 }),
        emptySlice(200, { sent: 1, refused: 1 }),
      ],
    };
    const { columns, columnMs } = groupTimeline(timeline, 2);
    expect(columnMs).toBe(200);
    expect(columns).toHaveLength(2);
    expect(columns[0]).toMatchObject({ startMs: 0, endMs: 200, sent: 5, admitted: 3, refused: 2, remainingRequests: 38, remainingTokens: null, latencyP50Ms: 100, latencyMaxMs: 300 });
    expect(columns[1]).toMatchObject({ startMs: 200, sent: 1, refused: 1, remainingRequests: null });
  });

  it('chooses a round column duration that fits', () => {
    const { timeline } = steadyManySlicesResult();
    const fitted = groupTimeline(timeline, 70);
    expect(fitted.columnMs).toBe(1000);
    expect(fitted.columns.length).toBeLessThanOrEqual(70);
    expect(fitted.columns.reduce((sum, column) => sum + column.sent, 0)).toBe(timeline.slices.reduce((sum, slice) => sum + slice.sent, 0));
    expect(groupTimeline(timeline, 600).columnMs).toBe(100);
  });
});
