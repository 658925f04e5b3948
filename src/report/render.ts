/**
 * One entry point for every report format, so the live run commands and `report`
 * render alike: `table` is the summary table followed by the timeline, `json` the
 * summary JSON, `markdown` the pull-request summary, `html` the self-contained page.
 * Pure: an AnalysisResult in, text out (always ending with one newline).
 */
import type { AnalysisResult } from '../analysis/result-types.js';
import type { ExpectationResult } from '../expect/types.js';
import { renderHtml } from './html.js';
import { renderSummaryJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSummaryTable } from './table.js';
import { renderTimeline } from './timeline.js';
import { renderRetryReport } from './retry-table.js';
import { formatCount } from './format.js';
import type { ReportFormat } from './formats.js';

export { REPORT_FORMATS, isReportFormat, type ReportFormat } from './formats.js';

/** How to render a report. */
export interface RenderOptions {
  format: ReportFormat;
  /** ANSI colour for `table` (the CLI decides: TTY, `--no-color`, `NO_COLOR`); ignored by other formats. */
  color: boolean;
  /** Terminal width for `table`; 80 when omitted. */
  width?: number;
  /** `--expect` results, listed by the markdown report. */
  expectations?: ExpectationResult[];
}

/** Renders `result` in the chosen format. */
export function renderReport(result: AnalysisResult, options: RenderOptions): string {
  switch (options.format) {
    case 'table': {
      // The retry lab compares policies side by side; its table replaces the single-run one.
      if (result.summary.command === 'retry' && result.summary.retry) return `${renderRetryReport(result, { color: options.color, width: options.width })}\n`;
      const callers = result.summary.callers;
      const callerLine = callers ? `\ncallers  ${formatCount(callers.total)} (each needs one answer): ${formatCount(callers.done)} done, ${formatCount(callers.gaveUp)} gave up` : '';
      const table = renderSummaryTable(result, { color: options.color, width: options.width });
      const timeline = renderTimeline(result, { color: options.color, width: options.width });
      return `${table}${callerLine}\n\n${timeline}\n`;
    }
    case 'json':
      return `${renderSummaryJson(result.summary)}\n`;
    case 'markdown':
      return `${renderMarkdown(result, { expectations: options.expectations })}\n`;
    case 'html':
      return renderHtml(result);
  }
}
