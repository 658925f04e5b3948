/**
 * The terminal timeline (docs/summary.md): admitted and refused requests per column of
 * time as bars on one scale, a ▲ under the column of the first refusal, the
 * remaining-requests and remaining-tokens headers as sparklines, a time axis and a
 * legend. Every line fits the width asked for (80 by default), and the rows carry
 * text labels so the chart reads the same without colour.
 */
import type { AnalysisResult } from '../analysis/result-types.js';
import { barRows, sparkline } from './blocks.js';
import { formatCount, formatMs, formatOffset, terminalSafe, wrapWords } from './format.js';
import { createPalette, type Palette } from './palette.js';
import { columnIndexAt, groupTimeline, type TimelineColumn } from './timeline-columns.js';
import { firstRefusedText } from './summary-rows.js';

/** Options of the terminal timeline. */
export interface TimelineOptions {
  color: boolean;
  /** Total width in columns, 20 to 120 (a wider terminal gets a finer timeline, up to a readable length). Default 80. */
  width?: number;
}

/** Row labels take this many columns ("admitted  "); the chart gets the rest. */
const LABEL_WIDTH = 10;
/** Bar charts are this many text rows tall: 24 eighths of resolution. */
const BAR_HEIGHT = 3;
const DEFAULT_WIDTH = 80;
/** A short run (a burst: a dozen slices) draws each column up to this many characters wide. */
const MAX_CELL_WIDTH = 4;
const MIN_WIDTH = 20;
const MAX_WIDTH = 120;

function label(text: string): string {
  return text.padEnd(LABEL_WIDTH).slice(0, LABEL_WIDTH);
}

/** A row of spaces with `text` written from `position` on (cut at `width`). */
function place(row: string[], position: number, text: string): void {
  for (let offset = 0; offset < text.length && position + offset < row.length; offset += 1) {
    if (position + offset >= 0) row[position + offset] = text[offset]!;
  }
}

/**
 * The time axis under the chart: the start at the first column, the end after the
 * last, and the start of the middle column between them (a round time, since
 * columns are round), each written from the column it names.
 */
function axisRow(startMs: number, columnMs: number, columnCount: number, cellWidth: number, chartWidth: number): string {
  const row: string[] = Array.from({ length: chartWidth }, () => ' ');
  const first = formatOffset(startMs);
  const last = formatOffset(startMs + columnCount * columnMs);
  const lastAt = Math.max(first.length + 1, Math.min(columnCount * cellWidth, chartWidth - last.length));
  place(row, 0, first);
  place(row, lastAt, last);
  const middleColumn = Math.floor(columnCount / 2);
  const middleAt = middleColumn * cellWidth;
  const middle = formatOffset(startMs + middleColumn * columnMs);
  if (middleAt > first.length + 1 && middleAt + middle.length < lastAt - 1) place(row, middleAt, middle);
  return row.join('').trimEnd();
}

/** Each value repeated `times` times: how a short run's columns are drawn wider. */
function widen<T>(values: readonly T[], times: number): T[] {
  return values.flatMap((value) => Array.from({ length: times }, () => value));
}

/** The ▲ row: the marker under the first refusal's column, its words beside it (after if they fit, else before). */
function markerRow(column: number, text: string, chartWidth: number): string {
  const row: string[] = Array.from({ length: chartWidth }, () => ' ');
  row[column] = '▲';
  const words = ` ${text}`;
  if (column + 1 + words.length <= chartWidth) place(row, column + 1, words);
  else place(row, Math.max(0, column - words.length), `${text} `);
  return row.join('').trimEnd();
}

/** Phase starts as ┆ marks at their columns. */
function phaseRow(columns: number[], chartWidth: number): string {
  const row: string[] = Array.from({ length: chartWidth }, () => ' ');
  for (const column of columns) row[column] = '┆';
  return row.join('').trimEnd();
}

function sparklineLines(
  name: string,
  header: string,
  values: (number | null)[],
  limit: number | null,
  palette: Palette,
): { row: string; legend: string } | null {
  const seen = values.filter((value): value is number => value !== null);
  if (seen.length === 0) return null;
  const max = Math.max(limit ?? 0, ...seen);
  return {
    row: label(name) + palette.chalk.cyan(sparkline(values, max)),
    legend: `${name}: lowest ${header} per column, ${formatCount(Math.min(...seen))} to ${formatCount(Math.max(...seen))} of ${formatCount(max)}.`,
  };
}

/**
 * The timeline without its leading slices in which nothing happened.
 *
 * Why: times count from the run's start, and a run spends its first moments before the
 * first request (starting the embedded simulator, opening and warming connections: about
 * 1.5 s for the quick start's burst). Drawn from 0, that wait filled most of the chart and
 * squeezed the burst into its last column. The axis keeps the run's clock, so "first
 * refusal at 1.68 s" and the axis labels still agree with the recording.
 */
function fromFirstActivity(timeline: AnalysisResult['timeline']): AnalysisResult['timeline'] {
  // The bars count answers when they came back: the first slice drawn is the first with an answer.
  const first = timeline.slices.findIndex((slice) => slice.admitted + slice.refused + slice.failed + slice.dropped > 0);
  if (first <= 0) return timeline;
  return { ...timeline, slices: timeline.slices.slice(first) };
}

/** Renders the timeline as lines joined by "\n" (no trailing newline). */
export function renderTimeline(result: AnalysisResult, options: TimelineOptions): string {
  const { summary } = result;
  const timeline = fromFirstActivity(result.timeline);
  const palette = createPalette(options.color);
  const width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, options.width ?? DEFAULT_WIDTH));
  const chartWidth = width - LABEL_WIDTH;
  if (timeline.slices.length === 0) return palette.heading('Timeline: no requests recorded.');

  const grouped = groupTimeline(timeline, chartWidth);
  const columns: TimelineColumn[] = grouped.columns;
  const firstStartMs = columns[0]!.startMs;
  const endMs = columns[columns.length - 1]!.endMs;
  const peak = Math.max(1, ...columns.map((column) => Math.max(column.admitted, column.refused)));
  const cellWidth = Math.max(1, Math.min(MAX_CELL_WIDTH, Math.floor(chartWidth / columns.length)));
  const series = <T>(pick: (column: TimelineColumn) => T): T[] => widen(columns.map(pick), cellWidth);

  const lines: string[] = [];
  const from = firstStartMs > 0 ? ` from ${formatOffset(firstStartMs)}` : '';
  const title = `Timeline${from}: ${formatOffset(endMs - firstStartMs)}, one column = ${formatMs(grouped.columnMs)}, peak ${formatCount(peak)} per column`;
  for (const line of wrapWords(title, width)) lines.push(palette.heading(line));

  // Wide columns keep a one-character gap so neighbouring bars do not merge into a block.
  const bars = (pick: (column: TimelineColumn) => number): number[] =>
    columns.flatMap((column) => Array.from({ length: cellWidth }, (_, index) => (cellWidth >= 3 && index === cellWidth - 1 ? 0 : pick(column))));
  const admittedRows = barRows(bars((column) => column.admitted), peak, BAR_HEIGHT);
  admittedRows.forEach((row, index) => lines.push(label(index === 0 ? 'admitted' : '') + palette.admitted(row)));

  const marker = columnIndexAt(grouped, firstStartMs, timeline.firstRefusalMs);
  if (columns.some((column) => column.refused > 0)) {
    const refusedRows = barRows(bars((column) => column.refused), peak, BAR_HEIGHT);
    refusedRows.forEach((row, index) => lines.push(label(index === 0 ? 'refused' : '') + palette.refused(row)));
  } else {
    lines.push(`${label('refused')}none`);
  }
  if (marker !== null && timeline.firstRefusalMs !== null) {
    const first = firstRefusedText(summary.throttled);
    const which = first === null ? '' : ` (${first})`;
    lines.push(label('') + palette.marker(markerRow(marker * cellWidth, `first refusal at ${formatOffset(timeline.firstRefusalMs)}${which}`, chartWidth)));
  }

  const failedValues = bars((column) => column.failed + column.dropped);
  if (failedValues.some((value) => value > 0)) {
    const failedPeak = Math.max(...failedValues);
    lines.push(label('failed') + palette.refused(barRows(failedValues, failedPeak, 1)[0]!));
  }

  const legends: string[] = [];
  const requestsLine = sparklineLines('req. left', 'remaining-requests', series((column) => column.remainingRequests), summary.headers.limitRequests, palette);
  const tokensLine = sparklineLines('tok. left', 'remaining-tokens', series((column) => column.remainingTokens), summary.headers.limitTokens, palette);
  for (const sparklineLine of [requestsLine, tokensLine]) {
    if (sparklineLine === null) continue;
    lines.push(sparklineLine.row);
    legends.push(sparklineLine.legend);
  }
  if (requestsLine === null && tokensLine === null) legends.push('No remaining-* headers were seen.');

  if (timeline.phases.length > 1) {
    const phaseColumns = timeline.phases
      .map((phase) => columnIndexAt(grouped, firstStartMs, phase.startMs))
      .filter((column): column is number => column !== null)
      .map((column) => column * cellWidth);
    lines.push(label('phases') + phaseRow(phaseColumns, chartWidth));
    const names = timeline.phases.map((phase) => `${terminalSafe(phase.name).slice(0, 32)} at ${formatOffset(phase.startMs)}`);
    legends.push(`Phases (┆): ${names.join(', ')}.`);
  }

  lines.push(label('') + axisRow(firstStartMs, grouped.columnMs, columns.length, cellWidth, chartWidth));
  const failedLegend = failedValues.some((value) => value > 0) ? ', failed and dropped per column' : '';
  const markerLegend = marker !== null && timeline.firstRefusalMs !== null ? ' ▲ first refusal.' : '';
  legends.unshift(`Bars: admitted and refused per column, one scale${failedLegend}.${markerLegend}`);
  for (const legend of legends) {
    for (const line of wrapWords(legend, width)) lines.push(palette.chalk.dim(line));
  }
  return lines.map((line) => line.trimEnd()).join('\n');
}
