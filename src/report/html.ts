/**
 * The HTML report (docs/summary.md): one self-contained file, opened from disk or attached
 * to a CI run, with charts of the timeline (admitted against refused per slice with
 * the first refusal marked, the remaining-* headers over time), latency over time,
 * refusal classes and the summary tables.
 *
 * Self-contained means nothing is fetched: uPlot and the chart code are inlined
 * (src/report/assets.generated.ts, written at build time), there are no fonts or
 * images, and a Content-Security-Policy forbids every network load in case anything
 * slipped through. Recording data is untrusted: every text goes through escapeHtml,
 * and the chart data travels as a JSON island with `<` escaped, read by the page with
 * JSON.parse and drawn on canvases.
 */
import { retrySection } from './retry-html.js';
import type { AnalysisResult } from '../analysis/result-types.js';
import { CHARTS_SCRIPT, UPLOT_SCRIPT, UPLOT_STYLE, UPLOT_VERSION } from './assets.generated.js';
import { formatCount, formatMs, formatOffset, formatRate, formatRatio } from './format.js';
import { groupTimeline, type TimelineColumns } from './timeline-columns.js';
import {
  advertisedHeading,
  firstRefusedText,
  gatewayLines,
  groupComparison,
  limitRows,
  refusalClassCounts,
  summarySections,
  verdictHeadline,
  type Tone,
} from './summary-rows.js';

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON for a `<script type="application/json">` element. Why the escapes: the HTML
 * parser ends the element at the first `</script`, whatever the JSON means, so `<`
 * (and, for good measure, `>` and `&`) become \u escapes, which JSON.parse reads
 * back unchanged; U+2028/U+2029 are escaped for older JavaScript parsers.
 */
export function jsonIsland(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * At most this many bars in the requests chart. Why: a 10-minute run in 100 ms
 * slices is 6,000 one-pixel bars that read as noise; folded into columns of a
 * round duration (as the terminal timeline does) each bar keeps a few pixels.
 */
const MAX_CHART_COLUMNS = 240;

/** The chart data, column by column, as uPlot wants it. */
function chartData(result: AnalysisResult, grouped: TimelineColumns): unknown {
  const { timeline, summary } = result;
  const slices = grouped.columns;
  const points = [...timeline.latencyPoints].sort((left, right) => left.atMs - right.atMs);
  const first = firstRefusedText(summary.throttled);
  const firstSeq = first === null ? '' : ` (${first})`;
  return {
    sliceMs: grouped.columnMs,
    sliceText: formatMs(grouped.columnMs),
    firstRefusalMs: timeline.firstRefusalMs,
    firstRefusalText: timeline.firstRefusalMs === null ? '' : `at ${formatOffset(timeline.firstRefusalMs)}${firstSeq}`,
    phases: timeline.phases,
    slices: {
      startMs: slices.map((slice) => slice.startMs),
      admitted: slices.map((slice) => slice.admitted),
      refused: slices.map((slice) => slice.refused),
      failed: slices.map((slice) => slice.failed + slice.dropped),
      remainingRequests: slices.map((slice) => slice.remainingRequests),
      remainingTokens: slices.map((slice) => slice.remainingTokens),
      latencyP50Ms: slices.map((slice) => slice.latencyP50Ms),
    },
    latencyPoints: {
      atMs: points.map((point) => point.atMs),
      latencyMs: points.map((point) => point.latencyMs),
    },
  };
}

function toneClass(tone: Tone): string {
  return tone === 'plain' ? '' : ` class="${tone}"`;
}

function keyFigures(result: AnalysisResult): string {
  const { summary } = result;
  const figures: { label: string; value: string; tone: Tone }[] = [
    { label: 'sent', value: formatCount(summary.requests.sent), tone: 'plain' },
    { label: 'admitted', value: formatCount(summary.requests.ok), tone: 'good' },
    { label: `refused (${formatRatio(summary.throttled.ratio)})`, value: formatCount(summary.requests.throttled), tone: summary.requests.throttled > 0 ? 'bad' : 'good' },
    // A big figure: "#5", or "#5 in arrival order (#0 as sent)" for a burst the server read out of order.
    { label: 'first refused', value: firstRefusedText(summary.throttled)?.replace(/^request /, '') ?? 'none', tone: 'plain' },
    { label: 'effective rate', value: formatRate(summary.effective.requests.perSecond), tone: 'plain' },
    { label: 'burst', value: formatCount(summary.effective.requests.burst), tone: 'plain' },
    { label: 'latency p95', value: formatMs(summary.latency.p95), tone: 'plain' },
  ];
  if ((summary.latencyByPhase ?? []).some((row) => row.streamed > 0) && summary.latency.firstToken !== undefined) {
    figures.push({ label: 'first token p95', value: formatMs(summary.latency.firstToken.p95), tone: 'plain' });
  }
  return figures
    .map((figure) => `<div class="figure"><div class="figure-value${figure.tone === 'plain' ? '' : ` ${figure.tone}`}">${escapeHtml(figure.value)}</div><div class="figure-label">${escapeHtml(figure.label)}</div></div>`)
    .join('\n');
}

function refusalClassBars(result: AnalysisResult): string {
  const classes = refusalClassCounts(result.timeline.refusalsByClass);
  if (classes.length === 0) return '<p class="no-data">No refusals.</p>';
  const most = Math.max(...classes.map((entry) => entry.count));
  return classes
    .map((entry) => {
      const percent = Math.max(1, Math.round((entry.count / most) * 100));
      return `<div class="bar-row"><span class="bar-label">${escapeHtml(entry.refusalClass)}</span><span class="bar-track"><span class="bar" style="width:${percent}%"></span></span><span class="bar-value">${formatCount(entry.count)}</span></div>`;
    })
    .join('\n');
}

function limitsTable(result: AnalysisResult): string {
  const rows = limitRows(result.summary)
    .map((row) => `<tr><th scope="row">${escapeHtml(row.label)}</th><td>${escapeHtml(row.advertised)}</td><td>${escapeHtml(row.effective)}</td></tr>`)
    .join('\n');
  return `<table class="limits"><thead><tr><th></th><th>${escapeHtml(advertisedHeading(result.summary))}</th><th>effective (measured)</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function summaryTables(result: AnalysisResult): string {
  return summarySections(result.summary)
    .map((section) => {
      const rows = section.rows
        .map((row) => `<tr><th scope="row">${escapeHtml(row.label)}</th><td${toneClass(row.tone)}>${escapeHtml(row.value)}</td></tr>`)
        .join('\n');
      return `<section class="card"><h2>${escapeHtml(section.title)}</h2><table class="rows"><tbody>\n${rows}\n</tbody></table></section>`;
    })
    .join('\n');
}

function targetsTable(result: AnalysisResult): string {
  if (result.byTarget.length < 2) return '';
  const rows = result.byTarget
    .map((target) => `<tr><th scope="row">${escapeHtml(target.target)}</th><td>${escapeHtml(target.region ?? '—')}</td><td>${formatCount(target.sent)}</td><td>${formatCount(target.ok)}</td><td>${formatCount(target.throttled)}</td><td>${formatCount(target.failed)}</td><td>${target.firstThrottledSeq === null ? 'none' : `#${target.firstThrottledSeq}`}</td></tr>`)
    .join('\n');
  return `<section class="card wide"><h2>Per target</h2><table class="limits"><thead><tr><th>target</th><th>region</th><th>sent</th><th>admitted</th><th>refused</th><th>failed</th><th>first refused</th></tr></thead><tbody>\n${rows}\n</tbody></table></section>`;
}

/** byTarget and byRegion side by side, and the gateway reading, when the run had more than one of either. */
function groupsTable(result: AnalysisResult): string {
  const comparison = groupComparison(result.summary);
  const gateway = gatewayLines(result.summary);
  let html = '';
  if (comparison !== null) {
    const head = comparison.headings.map((heading) => `<th>${escapeHtml(heading)}</th>`).join('');
    const rows = comparison.rows.map(([label, ...cells]) => `<tr><th scope="row">${escapeHtml(label!)}</th>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('\n');
    html += `<section class="card wide"><h2>Targets and regions</h2><table class="limits"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></section>`;
  }
  if (gateway.length > 0) {
    html += `<section class="card wide"><h2>Gateway</h2><ul>\n${gateway.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}\n</ul></section>`;
  }
  return html;
}

function warningsList(result: AnalysisResult): string {
  if (result.warnings.length === 0) return '';
  const items = result.warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('\n');
  return `<section class="card wide warnings"><h2>Warnings</h2><ul>\n${items}\n</ul></section>`;
}

const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1d2329; --muted: #5f6b76; --line: #dde3e8; --good: #22804d; --bad: #c23b3b; --panel: #ffffff; --page: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 20px 24px 32px; }
header h1 { font-size: 20px; margin: 0 0 4px; }
header .meta { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.verdict { margin: 14px 0; padding: 12px 16px; border-radius: 6px; border-left: 6px solid var(--good); background: #eaf6ef; }
.verdict.refused { border-left-color: var(--bad); background: #fbecec; }
.verdict strong { display: block; font-size: 16px; margin-bottom: 4px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; margin: 14px 0; }
.figure { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.figure-value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure-label { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 14px; margin-top: 14px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.card h2 { font-size: 15px; margin: 0 0 2px; }
.card .hint { color: var(--muted); font-size: 12px; margin: 0 0 8px; }
.chart { width: 100%; min-height: 120px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th[scope="row"] { color: var(--muted); font-weight: 500; white-space: nowrap; }
table.limits td, table.limits thead th:not(:first-child) { text-align: right; }
.good { color: var(--good); }
.bad { color: var(--bad); }
.muted { color: var(--muted); }
.bar-row { display: grid; grid-template-columns: 90px 1fr 70px; align-items: center; gap: 8px; margin: 6px 0; }
.bar-track { background: #eef1f4; border-radius: 3px; height: 16px; }
.bar { display: block; height: 16px; border-radius: 3px; background: var(--bad); }
.bar-value { text-align: right; font-variant-numeric: tabular-nums; }
.no-data { color: var(--muted); font-style: italic; }
.warnings li { color: var(--bad); }
footer { color: var(--muted); font-size: 12px; margin-top: 18px; }
`;

/** Renders the report as one HTML document (ends with a newline). */
export function renderHtml(result: AnalysisResult): string {
  const { summary } = result;
  const headline = verdictHeadline(summary);
  const verdictClass = summary.requests.throttled > 0 ? 'verdict refused' : 'verdict';
  const title = `aoai-probe ${summary.command}: ${headline}`;
  const grouped = groupTimeline(result.timeline, MAX_CHART_COLUMNS);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<title>${escapeHtml(title)}</title>
<style>${UPLOT_STYLE}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<header>
<h1>aoai-probe report · ${escapeHtml(summary.command)}</h1>
<div class="meta">${escapeHtml(summary.target.url)} (${escapeHtml(summary.target.kind)}) · recording ${escapeHtml(summary.recording)} · ${escapeHtml(formatOffset(summary.durationSeconds * 1000))}, ${escapeHtml(summary.ended)}</div>
</header>
<div class="${verdictClass}"><strong>${escapeHtml(headline)}</strong>${escapeHtml(summary.verdict)}</div>
<div class="figures">
${keyFigures(result)}
</div>
<div class="grid">
${retrySection(result)}<section class="card wide"><h2>Admitted and refused per ${escapeHtml(formatMs(grouped.columnMs))}</h2><p class="hint">Green: admitted, red: refused, stacked. The dashed red line marks the first refusal.</p><div id="chart-requests" class="chart"></div></section>
<section class="card"><h2>Remaining-* headers</h2><p class="hint">Lowest x-ratelimit-remaining-requests and -tokens seen per ${escapeHtml(formatMs(grouped.columnMs))}.</p><div id="chart-remaining" class="chart"></div></section>
<section class="card"><h2>Latency over time</h2><p class="hint">Admitted requests (points, sampled) and the worst p50 per ${escapeHtml(formatMs(grouped.columnMs))}, ms.</p><div id="chart-latency" class="chart"></div></section>
<section class="card"><h2>Refusal classes</h2><p class="hint">Why requests were refused, read from the headers first, then the body.</p>
${refusalClassBars(result)}
</section>
<section class="card"><h2>Advertised vs effective</h2>
${limitsTable(result)}
</section>
${summaryTables(result)}
${targetsTable(result)}
${groupsTable(result)}
${warningsList(result)}
</div>
<footer>Generated by aoai-probe from the recording alone. Charts: uPlot ${escapeHtml(UPLOT_VERSION)} (MIT).</footer>
</main>
<script type="application/json" id="aoai-probe-data">${jsonIsland(chartData(result, grouped))}</script>
<script>${UPLOT_SCRIPT}</script>
<script>${CHARTS_SCRIPT}</script>
</body>
</html>
`;
}
