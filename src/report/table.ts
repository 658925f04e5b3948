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
  /** Total width in columns, borders included; clamped to 20..80. */
  width?: number;
}

/**
 * The narrowest and widest the table is drawn. Why down to 20: a table wider than the
 * terminal wraps every line in two and is unreadable, while a narrow one only wraps
 * its cells' words (a phone's SSH client or a split pane is 40 columns or fewer).
 */
const MIN_WIDTH = 20;
const MAX_WIDTH = 80;
const LABEL_WIDTH = 22;

/** Column widths (cli-table3 widths include cell padding) adding up to `width` with the 4 border characters. */
function columnWidths(width: number | undefined): [number, number, number] {
  const total = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, width ?? MAX_WIDTH));
  const inner = total - 4;
  // Below 60 columns the labels give up their share too: at most 40 % of the inside.
  const label = Math.min(LABEL_WIDTH, Math.floor(inner * 0.4));
  const advertised = Math.floor((inner - label) / 2);
  return [label, advertised, inner - label - advertised];
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

function valueCells(row: SummaryRow, palette: Palette, valueWidth: number): Table.Cell[] {
  // Paths and URLs have no spaces to wrap on: they wrap after a / (or ?, &) instead, and
  // break anywhere only where one name alone is wider than the cell, rather than be cut.
  const isPath = row.label === 'recording' || row.label === 'target';
  const value = isPath ? wrapAtSeparators(terminalSafe(row.value), valueWidth) : terminalSafe(row.value);
  return [
    { content: terminalSafe(row.label), chars: NO_LINE_ABOVE },
    { colSpan: 2, content: palette.tone(value, row.tone), wrapOnWordBoundary: !isPath, chars: NO_LINE_ABOVE },
  ];
}

/**
 * Lines of at most `width` characters, broken after a `/`, `?` or `&` (or a space), so a
 * recording path wraps between folders and its file name stays whole. A piece wider
 * than `width` on its own is left to cli-table3, which breaks it anywhere.
 */
export function wrapAtSeparators(text: string, width: number): string {
  if (width <= 0 || text.length <= width) return text;
  const pieces = text.match(/[^/?& ]*(?:[/?& ]|$)/g)?.filter((piece) => piece !== '') ?? [text];
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces) {
    if (line !== '' && line.length + piece.length > width) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += piece;
  }
  if (line !== '') lines.push(line.trimEnd());
  return lines.join('\n');
}

/** Renders the summary table as a string (no trailing newline). */
export function renderSummaryTable(result: AnalysisResult, options: TableOptions): string {
  const { summary } = result;
  const palette = createPalette(options.color);
  const widths = columnWidths(options.width);
  // The value cell spans two columns and the border between them, less a space of padding each side.
  const valueWidth = widths[1] + widths[2] + 1 - 2;
  const valueRow = (row: SummaryRow, rowPalette: Palette): Table.Cell[] => valueCells(row, rowPalette, valueWidth);
  const table = new Table({
    colWidths: widths,
    wordWrap: true,
    style: { head: [], border: [] },
  });

  const sections = summarySections(summary);
  // Every section before "Run" comes before the limits comparison; "Run", then any after it (Realtime), come after.
  const runIndex = sections.findIndex((section) => section.title === 'Run');
  const before = sections.slice(0, runIndex);
  const run = sections[runIndex];
  const more = sections.slice(runIndex + 1);
  // A recording of WebSocket sessions only: the HTTP request sections would be all dashes.
  const sessionsOnly = summary.realtime !== undefined && summary.requests.sent === 0;
  for (const section of sessionsOnly ? more : before) {
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
