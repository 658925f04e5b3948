/**
 * The retry lab in a terminal: one row per policy, side by side (callers done and
 * given up, attempts per done caller, refused attempts, the herd peak, time until all
 * were done, p95 wait), the verdict, then each policy's timeline of retries and refusals.
 * Pure: an AnalysisResult in, text out; `report` on the recording prints the same.
 */
import type { AnalysisResult } from '../analysis/result-types.js';
import type { RetryPolicyFigures, RetrySummary, RetryTimeline } from '../analysis/retry/types.js';
import { sparkline } from './blocks.js';
import { NOT_MEASURED, formatCount, formatDecimal, terminalSafe, wrapWords } from './format.js';
import { createPalette } from './palette.js';

/** How the table is drawn. */
export interface RetryTableOptions {
  color: boolean;
  width?: number;
}

const COLUMNS = ['policy', 'done', 'gave up', 'attempts/done', 'refused', 'herd peak', 'all done', 'p95 wait'] as const;

function secondsText(seconds: number | null): string {
  return seconds === null ? NOT_MEASURED : `${seconds.toFixed(1)} s`;
}

/** The sentence above the table: who the callers were and their limits. */
export function callersSentence(retry: RetrySummary): string {
  const callers = retry.policies[0]?.callers.total ?? 0;
  const arrival = retry.arrival === null || retry.arrival === 'burst' ? 'arriving at once' : `arriving at ${retry.arrival}`;
  const attempts = retry.maxAttempts === null ? '' : `; up to ${retry.maxAttempts} attempts`;
  const giveUp = retry.giveUpAfterSeconds === null ? '' : `, give up after ${formatDecimal(retry.giveUpAfterSeconds)} s`;
  return `${formatCount(callers)} callers ${arrival} per policy, each needs one answer${attempts}${giveUp}`;
}

/** The cells of one policy's row, in COLUMNS order. */
export function policyCells(figures: RetryPolicyFigures): string[] {
  return [
    terminalSafe(figures.name),
    formatCount(figures.callers.done),
    formatCount(figures.callers.gaveUp),
    figures.attempts.perDone === null ? NOT_MEASURED : figures.attempts.perDone.toFixed(2),
    formatCount(figures.attempts.refused),
    figures.herdPeak === 0 ? NOT_MEASURED : `${figures.herdPeak}/100ms`,
    figures.callers.gaveUp > 0 ? 'gave up' : secondsText(figures.allDoneSeconds),
    figures.waitMs.p95 === null ? NOT_MEASURED : secondsText(figures.waitMs.p95 / 1000),
  ];
}

function padRow(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('  ');
}

/** The side-by-side table and the verdict. */
export function renderRetryTable(retry: RetrySummary, options: RetryTableOptions): string {
  const palette = createPalette(options.color);
  const width = options.width ?? 80;
  const rows = retry.policies.map(policyCells);
  const widths = COLUMNS.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  const lines = [callersSentence(retry), palette.heading(padRow(COLUMNS, widths))];
  for (const [index, row] of rows.entries()) {
    const line = padRow(row, widths);
    lines.push(retry.policies[index]!.name === retry.best ? palette.admitted(line) : line);
  }
  lines.push('');
  lines.push(...wrapWords(`verdict  ${terminalSafe(retry.verdict)}`, Math.max(40, width)));
  lines.push(...wrapWords(`rule     ${retry.rule}`, Math.max(40, width)));
  return lines.join('\n');
}

/** Each policy's retries and refusals over time, as sparklines on one shared scale. */
export function renderRetryTimelines(timelines: readonly RetryTimeline[], options: RetryTableOptions): string {
  if (timelines.length === 0) return '';
  const palette = createPalette(options.color);
  const nameWidth = Math.max(6, ...timelines.map((timeline) => timeline.policy.length));
  const columns = Math.max(10, (options.width ?? 80) - nameWidth - 12);
  let peak = 0;
  for (const timeline of timelines) for (const slice of timeline.slices) peak = Math.max(peak, slice.firsts + slice.retries);
  const lines = [palette.heading(`timeline: attempts sent (upper) and refused (lower) per slice, each row from its policy's start; full bar = ${peak}`)];
  for (const timeline of timelines) {
    const slices = timeline.slices.slice(0, columns);
    const sent = sparkline(slices.map((slice) => slice.firsts + slice.retries), peak);
    const refused = sparkline(slices.map((slice) => slice.refused), peak);
    const span = `${((timeline.sliceMs * timeline.slices.length) / 1000).toFixed(1)} s`;
    lines.push(`${terminalSafe(timeline.policy).padEnd(nameWidth)}  ${palette.admitted(sent)}  ${span} in ${timeline.sliceMs} ms slices`);
    lines.push(`${''.padEnd(nameWidth)}  ${palette.refused(refused)}`);
  }
  return lines.join('\n');
}

/** The whole terminal report of a retry lab run. */
export function renderRetryReport(result: AnalysisResult, options: RetryTableOptions): string {
  const retry = result.summary.retry!;
  return `${renderRetryTable(retry, options)}\n\n${renderRetryTimelines(result.retryTimelines ?? [], options)}`;
}
