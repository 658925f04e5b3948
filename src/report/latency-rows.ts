/**
 * The "Latency" rows of the human reports: time to first token, time between
 * tokens, output speed, and the same per phase and target when a run had several.
 * What each figure means is in the README ("Latency figures"); the arithmetic is in
 * src/analysis/llm-latency.ts. Shared by the table, the markdown and the HTML page.
 */
import type { Percentiles, PhaseTargetLatency } from '../analysis/llm-latency.js';
import type { Summary } from '../analysis/summary-types.js';
import { formatCount, formatDecimal, formatMs } from './format.js';
import type { SummaryRow } from './summary-rows.js';

/** The rows, or none for a summary without the LLM figures (made before they existed). */
export function latencyRows(summary: Summary): SummaryRow[] {
  const { latency, tokens } = summary;
  if (latency.firstToken === undefined) return [];
  const streamed = (summary.latencyByPhase ?? []).some((row) => row.streamed > 0);
  const rows: SummaryRow[] = [
    { label: streamed ? 'time to first token' : 'time to first byte', value: triple(latency.firstToken), tone: 'plain' },
  ];
  if (streamed) {
    if (latency.firstByte !== undefined) rows.push({ label: 'time to first byte', value: triple(latency.firstByte), tone: 'plain' });
    if (latency.betweenTokens !== undefined) rows.push({ label: 'time between tokens', value: triple(latency.betweenTokens), tone: 'plain' });
  }
  if (tokens.outputPerSecond !== undefined) {
    rows.push({ label: 'output tokens/s', value: speed(tokens.outputPerSecond.p50, tokens.outputPerSecond.total), tone: 'plain' });
  }
  const phases = summary.latencyByPhase ?? [];
  if (phases.length > 1) for (const phase of phases) rows.push(phaseRow(phase));
  return rows;
}

function triple(figures: Percentiles): string {
  if (figures.p50 === null) return 'not measured';
  return `p50 ${formatMs(figures.p50)} · p95 ${formatMs(figures.p95)} · p99 ${formatMs(figures.p99)}`;
}

function speed(perRequest: number | null, total: number | null): string {
  if (perRequest === null && total === null) return 'not measured';
  return `p50 ${formatDecimal(perRequest)} per request · ${formatDecimal(total)} in total`;
}

/** One phase at one target, compactly: its admitted count, first token, between tokens, end-to-end and speed. */
function phaseRow(row: PhaseTargetLatency): SummaryRow {
  const parts = [`${formatCount(row.admitted)} admitted`, `${row.streamed > 0 ? 'first token' : 'first byte'} p50 ${formatMs(row.firstToken.p50)}`];
  if (row.streamed > 0) parts.push(`between p50 ${formatMs(row.betweenTokens.p50)} p99 ${formatMs(row.betweenTokens.p99)}`);
  parts.push(`total p50 ${formatMs(row.endToEnd.p50)}`);
  if (row.outputPerSecond.total !== null) parts.push(`${formatDecimal(row.outputPerSecond.total)} tokens/s`);
  return { label: `${row.phase || '(no phase)'} @ ${row.target || 'default'}`, value: parts.join(' · '), tone: 'plain' };
}
