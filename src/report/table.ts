/**
 * The terminal summary a person reads in ten seconds (docs/summary.md): requests and
 * refusals, what the remaining-* headers said, advertised next to effective limits,
 * latency and schedule precision, the verdict and the recording path.
 *
 * One cli-table3 table of three columns whose widths add up to the requested width
 * (80 by default) including borders, with wrapping on, so no line is ever wider.
 * cli-table3's own colours are switched off: colour comes only from the palette the
 * caller chose.
 */
import Table from 'cli-table3';
import type { AnalysisResult } from '../analysis/result-types.js';
import { terminalSafe } from './format.js';
import { createPalette, type Palette } from './palette.js';
import { advertisedHeading, gatewayLines, groupComparison, limitRows, summarySections, targetRows, verdictHeadline, type SummaryRow } from './summary-rows.js';

/** Options of the terminal table. */
export interface TableOptions {
  /** Colour with ANSI codes (the CLI decides: TTY, `--no-color`, `NO_COLOR`). */
  color: boolean;
  /** Total width in columns, borders included; clamped to 60..80. */
  width?: number;
}

/** The narrowest and widest the table is drawn. */
const MIN_WIDTH = 60;
const MAX_WIDTH = 80;
const LABEL_WIDTH = 22;

/** Column widths (cli-table3 widths include cell padding) adding up to `width` with the 4 border characters. */
function columnWidths(width: number | undefined): [number, number, number] {
  const total = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width ?? MAX_WIDTH));
  const inner = total - 4;
  const advertised = Math.floor((inner - LABEL_WIDTH) / 2);
  return [LABEL_WIDTH, advertised, inner - LABEL_WIDTH - advertised];
}

/**
 * Why per-cell border characters: cli-table3 draws a line between every pair of rows,
 * or (compact) none at all. Cells of ordinary rows carry blank separator characters
 * (cli-table3 skips a line that comes out empty), while the cells that open a section
 * keep the defaults, so a line is drawn above each section heading only.
 */
const NO_LINE_ABOVE = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '', 'top-mid': '', 'bottom-mid': '' };

function sectionRow(title: string, palette: Palette): Table.Cell[] {
  return [{ colSpan: 3, content: palette.heading(title) }];
}

function valueRow(row: SummaryRow, palette: Palette): Table.Cell[] {
  // Paths and URLs have no spaces to wrap on: let them break anywhere rather than be cut.
  const breakAnywhere = row.label === 'recording' || row.label === 'target';
  return [
    { content: terminalSafe(row.label), chars: NO_LINE_ABOVE },
    { colSpan: 2, content: palette.tone(terminalSafe(row.value), row.tone), wrapOnWordBoundary: !breakAnywhere, chars: NO_LINE_ABOVE },
  ];
}

/** Renders the summary table as a string (no trailing newline). */
export function renderSummaryTable(result: AnalysisResult, options: TableOptions): string {
  const { summary } = result;
  const palette = createPalette(options.color);
  const table = new Table({
    colWidths: columnWidths(options.width),
    wordWrap: true,
    style: { head: [], border: [] },
  });

  const [requests, headers, run, ...more] = summarySections(summary);
  // A recording of WebSocket sessions only: the HTTP request sections would be all dashes.
  const sessionsOnly = summary.realtime !== undefined && summary.requests.sent === 0;
  for (const section of sessionsOnly ? more : [requests, headers]) {
    if (!section) continue;
    table.push(sectionRow(section.title, palette));
    for (const row of section.rows) table.push(valueRow(row, palette));
  }

  if (!sessionsOnly) {
    table.push([palette.heading('Limits'), palette.heading(advertisedHeading(summary)), palette.heading('effective (measured)')]);
    for (const row of limitRows(summary)) {
      table.push([row.label, row.advertised, row.effective].map((content) => ({ content, chars: NO_LINE_ABOVE })));
    }
  }

  if (result.byTarget.length > 1) {
    table.push(sectionRow('Targets', palette));
    for (const row of targetRows(result.byTarget)) table.push(valueRow(row, palette));
  }

  const comparison = groupComparison(summary);
  if (comparison !== null) {
    table.push(sectionRow('Targets and regions', palette));
    const [, ...columns] = comparison.headings;
    for (const [label, ...values] of comparison.rows) {
      const value = values.map((cell, index) => `${cell} ${columns[index]}`).join(', ');
      table.push([{ content: terminalSafe(label!), chars: NO_LINE_ABOVE }, { colSpan: 2, content: terminalSafe(value), chars: NO_LINE_ABOVE }]);
    }
  }
  const gateway = gatewayLines(summary);
  if (gateway.length > 0) {
    table.push(sectionRow('Gateway', palette));
    for (const line of gateway) table.push([{ colSpan: 3, content: terminalSafe(line), chars: NO_LINE_ABOVE }]);
  }

  if (run) {
    table.push(sectionRow(run.title, palette));
    // Latency, schedule precision and tokens describe HTTP requests: a sessions-only run has none.
    const rows = sessionsOnly ? run.rows.filter((row) => !['latency (admitted)', 'schedule precision', 'tokens'].includes(row.label)) : run.rows;
    for (const row of rows) table.push(valueRow(row, palette));
  }
  if (!sessionsOnly) {
    for (const section of more) {
      table.push(sectionRow(section.title, palette));
      for (const row of section.rows) table.push(valueRow(row, palette));
    }
  }

  table.push([{ colSpan: 3, content: palette.heading(verdictHeadline(summary)) }]);
  // The verdict may hold several sentences on separate lines; keep the breaks, drop other control characters.
  const verdict = summary.verdict.split('\n').map(terminalSafe).join('\n');
  table.push([{ colSpan: 3, content: verdict, chars: NO_LINE_ABOVE }]);
  return table.toString();
}
