/**
 * Groups timeline slices into at most N columns, so a 60-second run in 100 ms slices
 * (600 slices) fits 70 terminal columns.
 *
 * Why these folds: counts add up (a column holds every request of its slices); the
 * remaining-* headers take the lowest value seen, as the slices themselves do,
 * because the low point is what predicts a refusal; latency takes the worst p50 and
 * the max of maxima.
 */
import type { Timeline } from '../analysis/result-types.js';

/** One drawn column: several consecutive slices folded together. */
export interface TimelineColumn {
  startMs: number;
  endMs: number;
  sent: number;
  admitted: number;
  refused: number;
  failed: number;
  dropped: number;
  remainingRequests: number | null;
  remainingTokens: number | null;
  latencyP50Ms: number | null;
  latencyMaxMs: number | null;
}

/** The columns and the time each one covers. */
export interface TimelineColumns {
  columns: TimelineColumn[];
  /** Milliseconds covered by one column (a whole number of slices). */
  columnMs: number;
}

function lowest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function highest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** True for durations people read at a glance: 1, 2, 2.5 or 5 times a power of ten milliseconds. */
function isRoundDuration(ms: number): boolean {
  if (ms <= 0) return false;
  const mantissa = ms / 10 ** Math.floor(Math.log10(ms));
  return [1, 2, 2.5, 5, 10].some((round) => Math.abs(mantissa - round) < 1e-9);
}

/**
 * How many slices go in one column: the fewest that fit `maxColumns`, raised (up to
 * double) to the nearest count whose duration is round, so a column reads "1 s"
 * rather than "900 ms" and axis labels land on round times.
 */
function slicesPerColumnFor(sliceCount: number, sliceMs: number, maxColumns: number): number {
  const fewest = Math.max(1, Math.ceil(sliceCount / Math.max(1, maxColumns)));
  for (let count = fewest; count <= fewest * 2; count += 1) {
    if (isRoundDuration(count * sliceMs)) return count;
  }
  return fewest;
}

/** Folds the timeline's slices into at most `maxColumns` columns of equal length. */
export function groupTimeline(timeline: Timeline, maxColumns: number): TimelineColumns {
  const { slices, sliceMs } = timeline;
  const slicesPerColumn = slicesPerColumnFor(slices.length, sliceMs, maxColumns);
  const columnMs = slicesPerColumn * sliceMs;
  const columns: TimelineColumn[] = [];
  for (let first = 0; first < slices.length; first += slicesPerColumn) {
    const group = slices.slice(first, first + slicesPerColumn);
    const startMs = group[0]?.startMs ?? first * sliceMs;
    const column: TimelineColumn = {
      startMs,
      endMs: startMs + columnMs,
      sent: 0,
      admitted: 0,
      refused: 0,
      failed: 0,
      dropped: 0,
      remainingRequests: null,
      remainingTokens: null,
      latencyP50Ms: null,
      latencyMaxMs: null,
    };
    for (const slice of group) {
      column.sent += slice.sent;
      column.admitted += slice.admitted;
      column.refused += slice.refused;
      column.failed += slice.failed;
      column.dropped += slice.dropped;
      column.remainingRequests = lowest(column.remainingRequests, slice.remainingRequests);
      column.remainingTokens = lowest(column.remainingTokens, slice.remainingTokens);
      column.latencyP50Ms = highest(column.latencyP50Ms, slice.latencyP50Ms);
      column.latencyMaxMs = highest(column.latencyMaxMs, slice.latencyMaxMs);
    }
    columns.push(column);
  }
  return { columns, columnMs };
}

/** The index of the column that contains `atMs` (clamped to the drawn range), or null. */
export function columnIndexAt(grouped: TimelineColumns, firstStartMs: number, atMs: number | null): number | null {
  if (atMs === null || grouped.columns.length === 0) return null;
  const index = Math.floor((atMs - firstStartMs) / grouped.columnMs);
  return Math.min(grouped.columns.length - 1, Math.max(0, index));
}
