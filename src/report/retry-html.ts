/**
 * The retry lab on the HTML page: the policies side by side (the terminal table's
 * columns), the rule and the verdict, and each policy's timeline of attempts and
 * refusals as text sparklines on one shared scale. Plain markup, no script: every
 * figure is already in the summary, escaped on the way in.
 */
import type { AnalysisResult } from '../analysis/result-types.js';
import { sparkline } from './blocks.js';
import { policyCells, callersSentence } from './retry-table.js';

const HEADINGS = ['policy', 'done', 'gave up', 'attempts / done', 'refused', 'herd peak', 'all done', 'p95 wait', 'timeline: attempts sent / refused'];

/** HTML escaping (the page renderer has its own; importing it here would make the two modules import each other). */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The section and its line break, or '' when the recording has no retrying callers (the page is then unchanged). */
export function retrySection(result: AnalysisResult): string {
  const retry = result.summary.retry;
  if (retry === undefined) return '';
  const timelines = new Map((result.retryTimelines ?? []).map((timeline) => [timeline.policy, timeline]));
  let peak = 0;
  for (const timeline of timelines.values()) for (const slice of timeline.slices) peak = Math.max(peak, slice.firsts + slice.retries);
  const rows = retry.policies.map((figures) => {
    const cells = policyCells(figures).map((cell, index) => `<td${index === 0 ? '' : ' class="num"'}>${escape(cell)}</td>`);
    const timeline = timelines.get(figures.name);
    const spark =
      timeline === undefined
        ? ''
        : `<span class="spark sent">${escape(sparkline(timeline.slices.map((slice) => slice.firsts + slice.retries), peak))}</span><br><span class="spark refused">${escape(sparkline(timeline.slices.map((slice) => slice.refused), peak))}</span> <span class="hint">${escape(`${timeline.sliceMs} ms slices`)}</span>`;
    const best = figures.name === retry.best ? ' class="best"' : '';
    return `<tr${best}>${cells.join('')}<td>${spark}</td></tr>`;
  });
  return `<section class="card wide retry"><h2>Retry policies side by side</h2><p class="hint">${escape(callersSentence(retry))}. Herd peak: most retries sent within any 100 ms.</p>
<style>.retry .num { text-align: right; font-variant-numeric: tabular-nums; } .retry .best td { font-weight: 600; } .retry .spark { font-family: ui-monospace, monospace; letter-spacing: -1px; } .retry .sent { color: var(--good, #2e9d5b); } .retry .refused { color: var(--bad, #d64545); }</style>
<table><thead><tr>${HEADINGS.map((heading) => `<th>${escape(heading)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p><strong>Best: ${escape(retry.best ?? '—')}</strong> (${escape(retry.rule)}).</p>
<p>${escape(retry.verdict)}</p>
</section>
`;
}
