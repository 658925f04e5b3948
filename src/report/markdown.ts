/**
 * Markdown for pull requests and `$GITHUB_STEP_SUMMARY` (docs/summary.md): the verdict as
 * the headline, the summary rows as a table, advertised against effective, refusal
 * classes, per-target figures when there are several, and the terminal timeline in a
 * code block (GitHub renders block characters in a monospace font).
 *
 * Every piece of text that came from a recording is escaped: a server's error
 * message or a phase name must not turn into markup, links or raw HTML in a CI page.
 */
import type { AnalysisResult } from '../analysis/result-types.js';
import type { ExpectationResult } from '../expect/types.js';
import { formatCount } from './format.js';
import {
  advertisedHeading,
  gatewayLines,
  groupComparison,
  limitRows,
  refusalClassCounts,
  summarySections,
  verdictHeadline,
} from './summary-rows.js';
import { renderTimeline } from './timeline.js';

/** Options of the markdown report. */
export interface MarkdownOptions {
  /** `--expect` results to list as checks; omitted when none were given. */
  expectations?: ExpectationResult[];
}

/**
 * Escapes text for a markdown table cell or paragraph: characters that start markup
 * get a backslash (`#` too, or GitHub turns "request #6" into a link to issue 6),
 * HTML's `<`, `>` and `&` become entities, and line breaks become spaces (a table
 * row is one line).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]#+|~])/g, '\\$1');
}

function tableLines(head: string[], rows: string[][], align: ('left' | 'right')[]): string[] {
  const separator = align.map((side) => (side === 'right' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${separator.join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

/** A code fence longer than any run of backticks in `text`, so the text cannot close it. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** Renders the markdown report (no trailing newline). */
export function renderMarkdown(result: AnalysisResult, options: MarkdownOptions = {}): string {
  const { summary, timeline, byTarget, warnings } = result;
  const lines: string[] = [];
  lines.push(`## aoai-probe ${escapeMarkdown(summary.command)}: ${escapeMarkdown(verdictHeadline(summary))}`, '');
  for (const sentence of summary.verdict.split(/\n+/).filter((part) => part.trim() !== '')) lines.push(`> ${escapeMarkdown(sentence)}`);
  lines.push('');

  const expectations = options.expectations ?? [];
  if (expectations.length > 0) {
    const unmet = expectations.filter((expectation) => !expectation.passed).length;
    lines.push(`### Expectations: ${unmet === 0 ? 'all met' : `${unmet} of ${expectations.length} not met`}`, '');
    lines.push(
      ...tableLines(
        ['', 'expectation', 'measured'],
        expectations.map((expectation) => [
          expectation.passed ? 'met' : '**not met**',
          escapeMarkdown(expectation.expression),
          escapeMarkdown(expectation.actualText),
        ]),
        ['left', 'left', 'right'],
      ),
      '',
    );
  }

  for (const section of summarySections(summary)) {
    lines.push(`### ${section.title}`, '');
    lines.push(...tableLines(['', ''], section.rows.map((row) => [escapeMarkdown(row.label), escapeMarkdown(row.value)]), ['left', 'left']), '');
  }

  lines.push('### Advertised vs effective', '');
  lines.push(
    ...tableLines(
      ['', escapeMarkdown(advertisedHeading(summary)), 'effective (measured)'],
      limitRows(summary).map((row) => [escapeMarkdown(row.label), escapeMarkdown(row.advertised), escapeMarkdown(row.effective)]),
      ['left', 'right', 'right'],
    ),
    '',
  );

  const classes = refusalClassCounts(timeline.refusalsByClass);
  lines.push('### Refusal classes', '');
  if (classes.length === 0) lines.push('No refusals.', '');
  else {
    lines.push(
      ...tableLines(['class', 'refused'], classes.map((entry) => [escapeMarkdown(entry.refusalClass), formatCount(entry.count)]), ['left', 'right']),
      '',
    );
  }

  if (byTarget.length > 1) {
    lines.push('### Per target', '');
    lines.push(
      ...tableLines(
        ['target', 'region', 'sent', 'admitted', 'refused', 'failed', 'first refused'],
        byTarget.map((target) => [
          escapeMarkdown(target.target),
          escapeMarkdown(target.region ?? '—'),
          formatCount(target.sent),
          formatCount(target.ok),
          formatCount(target.throttled),
          formatCount(target.failed),
          target.firstThrottledSeq === null ? 'none' : `#${target.firstThrottledSeq}`,
        ]),
        ['left', 'left', 'right', 'right', 'right', 'right', 'right'],
      ),
      '',
    );
  }

  const comparison = groupComparison(summary);
  if (comparison !== null) {
    lines.push('### Targets and regions', '');
    lines.push(
      ...tableLines(
        comparison.headings,
        comparison.rows.map((row) => row.map((cell) => escapeMarkdown(cell))),
        comparison.headings.map((_, index) => (index === 0 ? 'left' : 'right')),
      ),
      '',
    );
  }
  const gateway = gatewayLines(summary);
  if (gateway.length > 0) {
    lines.push('### Gateway', '', ...gateway.map((line) => `- ${escapeMarkdown(line)}`), '');
  }

  const timelineText = renderTimeline(result, { color: false, width: 80 });
  const fence = fenceFor(timelineText);
  lines.push('### Timeline', '', `${fence}text`, timelineText, fence, '');

  if (warnings.length > 0) {
    lines.push('### Warnings', '');
    for (const warning of warnings) lines.push(`- ${escapeMarkdown(warning)}`);
    lines.push('');
  }

  lines.push(`<sub>Recording: ${escapeMarkdown(summary.recording)}</sub>`);
  return lines.join('\n');
}
