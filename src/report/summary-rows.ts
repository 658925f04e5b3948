/**
 * The rows every human-facing report shows, as plain labelled strings. The terminal
 * table, the markdown and the HTML page all lay out these same rows, so a figure
 * reads the same wherever a person meets it; only the layout and colour differ.
 */
import type { TargetBreakdown } from '../analysis/result-types.js';
import type { GroupSummary, RefusalClass, Summary } from '../analysis/summary-types.js';
import {
  NOT_MEASURED,
  formatCount,
  formatDecimal,
  formatMs,
  formatRatio,
  formatSeconds,
} from './format.js';
import { latencyRows } from './latency-rows.js';
import { failureEntries, failureLabel } from '../analysis/failures.js';

/** How a renderer may colour a value: `bad` for refusals and failures, `good` for a clean figure. */
export type Tone = 'plain' | 'good' | 'bad' | 'muted';

/** One labelled figure. */
export interface SummaryRow {
  label: string;
  value: string;
  tone: Tone;
}

/** One row of the advertised-versus-effective comparison. */
export interface LimitRow {
  label: string;
  advertised: string;
  effective: string;
}

/** A titled group of rows. */
export interface SummarySection {
  title: string;
  rows: SummaryRow[];
}

/** The order refusal classes are listed in (docs/summary.md). */
export const REFUSAL_CLASS_ORDER: readonly RefusalClass[] = ['requests', 'tokens', 'capacity', 'never', 'quota', 'gateway', 'unknown'];

/** Refusal classes with a non-zero count, in contract order, then any class the analysis added later. */
export function refusalClassCounts(byClass: Record<string, number>): { refusalClass: string; count: number }[] {
  const known: string[] = [...REFUSAL_CLASS_ORDER];
  const extra = Object.keys(byClass).filter((name) => !known.includes(name)).sort();
  return [...known, ...extra]
    .map((refusalClass) => ({ refusalClass, count: byClass[refusalClass] ?? 0 }))
    .filter((entry) => entry.count > 0);
}

/**
 * The first refused request as a person should read it: `request #12`, or, when it was
 * refused within a burst instant, its place in arrival order with the send-order number
 * after it (`#5 in arrival order (#0 as sent)`): within one instant the server picks the
 * order, so the lowest refused seq alone reads as if the very first request was refused.
 */
export function firstRefusedText(throttled: Summary['throttled']): string | null {
  if (throttled.firstSeq === null) return null;
  const arrival = throttled.firstInArrivalOrder;
  if (arrival === undefined || arrival === null || arrival === throttled.firstSeq) return `request #${throttled.firstSeq}`;
  return `#${arrival} in arrival order (#${throttled.firstSeq} as sent)`;
}

/** The "requests" section: what was sent and what came back. */
export function requestRows(summary: Summary): SummaryRow[] {
  const { requests, throttled } = summary;
  const classes = refusalClassCounts(throttled.byClass);
  const retry = throttled.retryAfterMs;
  const retryKnown = retry.min !== null || retry.p50 !== null || retry.max !== null;
  const failures = failureEntries(requests.failedBy ?? {});
  // What the failures were, when there were any (a summary from an older build has no breakdown).
  const failedBy: SummaryRow[] =
    failures.length === 0 ? [] : [{ label: 'failed by', value: failures.map(({ key, count }) => `${failureLabel(key)} ${formatCount(count)}`).join(', '), tone: 'bad' }];
  return [
    { label: 'sent', value: formatCount(requests.sent), tone: 'plain' },
    { label: 'admitted', value: formatCount(requests.ok), tone: requests.ok > 0 ? 'good' : 'plain' },
    {
      label: 'refused',
      value: `${formatCount(requests.throttled)} (${formatRatio(throttled.ratio)})`,
      tone: requests.throttled > 0 ? 'bad' : 'good',
    },
    {
      label: 'failed / dropped',
      value: `${formatCount(requests.failed)} / ${formatCount(requests.dropped)}`,
      tone: requests.failed + requests.dropped > 0 ? 'bad' : 'plain',
    },
    ...failedBy,
    {
      label: 'first refused',
      value: firstRefusedText(throttled) ?? 'none',
      tone: throttled.firstSeq === null ? 'good' : 'bad',
    },
    {
      label: 'refusal classes',
      value: classes.length === 0 ? 'none' : classes.map((entry) => `${entry.refusalClass} ${formatCount(entry.count)}`).join(', '),
      tone: classes.length === 0 ? 'plain' : 'bad',
    },
    {
      label: 'retry-after',
      value: retryKnown ? `min ${formatMs(retry.min)} · p50 ${formatMs(retry.p50)} · max ${formatMs(retry.max)}` : 'none seen',
      tone: 'plain',
    },
    {
      label: 'refused, headers > 0',
      value: `${formatCount(throttled.whileHeadersShowedCapacity)} refused while remaining-* still showed capacity`,
      tone: throttled.whileHeadersShowedCapacity > 0 ? 'bad' : 'plain',
    },
  ];
}

/** The "headers" section: what the remaining-* headers said. */
export function headerRows(summary: Summary): SummaryRow[] {
  const { headers } = summary;
  const window = headers.requestsWindowSeconds === null ? '' : ` · counts a ${formatSeconds(headers.requestsWindowSeconds)} window`;
  const requestLimit = headers.limitRequests === null ? '' : ` · limit ${formatCount(headers.limitRequests)}`;
  const tokenLimit = headers.limitTokens === null ? '' : ` · limit ${formatCount(headers.limitTokens)}`;
  return [
    {
      label: 'remaining-requests',
      value: headers.firstRemainingRequests === null && headers.limitRequests === null
        ? 'not seen'
        : `first ${formatCount(headers.firstRemainingRequests)}${requestLimit}${window}`,
      tone: 'plain',
    },
    {
      label: 'remaining-tokens',
      value: headers.firstRemainingTokens === null && headers.limitTokens === null
        ? 'not seen'
        : `first ${formatCount(headers.firstRemainingTokens)}${tokenLimit}`,
      tone: 'plain',
    },
    { label: 'families', value: headers.families.length === 0 ? 'none' : headers.families.join(', '), tone: 'plain' },
  ];
}

/** Multiplies a nullable rate, keeping null. */
function scaled(value: number | null, factor: number): number | null {
  return value === null ? null : value * factor;
}

/** True when the token dimension was measured at all. */
export function tokensProbed(summary: Summary): boolean {
  const tokens = summary.effective.tokens;
  return tokens.confidence !== 'none' || tokens.burst !== null || tokens.perMinute !== null || tokens.windowSeconds !== null;
}

/**
 * The shape with its confidence, e.g. `sliding-window (high)`. Why not always: the
 * confidence grades the request figures (docs/summary.md), and next to `unknown` it
 * would read as "highly confident that we do not know"; a shape the run could not tell
 * (or a run that saw no limit) gets none.
 */
export function shapeText(requests: Summary['effective']['requests']): string {
  if (requests.shape === 'unknown' || requests.confidence === 'none') return requests.shape;
  return `${requests.shape} (${requests.confidence})`;
}

/**
 * Advertised next to effective. The advertised figures come per 1 s, per 10 s and per
 * minute (Azure derives all three from the TPM); the effective steady rate is shown
 * in the same units so the two columns compare line by line.
 */
export function limitRows(summary: Summary): LimitRow[] {
  const { advertised, effective } = summary;
  const requests = effective.requests;
  const rows: LimitRow[] = [
    { label: 'requests per 1 s', advertised: formatDecimal(advertised.requestsPer1s), effective: formatDecimal(requests.perSecond) },
    { label: 'requests per 10 s', advertised: formatDecimal(advertised.requestsPer10s), effective: formatDecimal(scaled(requests.perSecond, 10)) },
    { label: 'requests per minute', advertised: formatDecimal(advertised.rpm), effective: formatDecimal(scaled(requests.perSecond, 60)) },
    { label: 'burst (one instant)', advertised: NOT_MEASURED, effective: requests.burst === null ? NOT_MEASURED : `${formatCount(requests.burst)} requests` },
    { label: 'recovery window', advertised: NOT_MEASURED, effective: formatSeconds(requests.windowSeconds) },
    { label: 'shape', advertised: NOT_MEASURED, effective: shapeText(requests) },
  ];
  if (requests.kneePerSecond !== undefined && requests.kneePerSecond !== null) {
    rows.push({ label: 'ramp knee (offered)', advertised: NOT_MEASURED, effective: `${formatDecimal(requests.kneePerSecond)}/s` });
  }
  const offered = requests.overdriveOfferedPerSecond ?? null;
  const admitted = requests.overdriveAdmittedPerSecond ?? null;
  if (offered !== null && admitted !== null) {
    rows.push({ label: 'overdriven (offered → admitted)', advertised: NOT_MEASURED, effective: `${formatDecimal(offered)}/s → ${formatDecimal(admitted)}/s` });
  }
  if (tokensProbed(summary)) {
    const tokens = effective.tokens;
    rows.push(
      { label: 'tokens per minute', advertised: formatCount(advertised.tpm), effective: formatCount(tokens.perMinute) },
      { label: 'token burst', advertised: NOT_MEASURED, effective: formatCount(tokens.burst) },
      { label: 'token window', advertised: NOT_MEASURED, effective: `${formatSeconds(tokens.windowSeconds)} (${tokens.confidence})` },
    );
  } else {
    rows.push({ label: 'tokens per minute', advertised: formatCount(advertised.tpm), effective: 'not probed' });
  }
  return rows;
}

/** The "run" section: latency, schedule precision, tokens, how long and how it ended. */
export function runRows(summary: Summary): SummaryRow[] {
  const { latency, schedule, tokens } = summary;
  return [
    {
      label: 'latency (admitted)',
      value: `p50 ${formatMs(latency.p50)} · p95 ${formatMs(latency.p95)} · p99 ${formatMs(latency.p99)} · max ${formatMs(latency.max)}`,
      tone: 'plain',
    },
    {
      label: 'schedule precision',
      value: `send spread ${formatMs(schedule.sendSpreadMs)} · lag p99 ${formatMs(schedule.lagP99Ms)}`,
      tone: 'plain',
    },
    {
      label: 'tokens',
      value: tokens.estimatedSent === undefined
        ? `${formatCount(tokens.estimatedCharged)} estimated charge · ${formatCount(tokens.billed)} billed`
        : `estimated ${formatCount(tokens.estimatedCharged)} admitted of ${formatCount(tokens.estimatedSent)} sent · ${formatCount(tokens.billed)} billed`,
      tone: 'plain',
    },
    {
      label: 'duration',
      value: `${formatSeconds(summary.durationSeconds)} (${summary.ended})`,
      tone: summary.ended === 'completed' ? 'plain' : 'bad',
    },
  ];
}

/** Where the numbers came from: the command, the target and the recording. */
export function sourceRows(summary: Summary): SummaryRow[] {
  return [
    { label: 'command', value: summary.command, tone: 'plain' },
    { label: 'target', value: `${summary.target.kind} · ${summary.target.url}`, tone: 'plain' },
    { label: 'recording', value: summary.recording, tone: 'muted' },
  ];
}

/** One row per target (region), for runs against several targets or merged recordings. */
export function targetRows(byTarget: readonly TargetBreakdown[]): SummaryRow[] {
  return byTarget.map((target) => ({
    label: target.region === null ? target.target : `${target.target} (${target.region})`,
    value: `${formatCount(target.sent)} sent, ${formatCount(target.ok)} admitted, ${formatCount(target.throttled)} refused` +
      (target.firstThrottledSeq === null ? '' : ` (first #${target.firstThrottledSeq})`) +
      `, ${formatCount(target.failed)} failed`,
    tone: target.throttled > 0 ? 'bad' : 'plain',
  }));
}

/** The realtime section: sessions, refusals by class, cap, open rate, turns, the bucket. */
export function realtimeRows(summary: Summary): SummaryRow[] {
  const realtime = summary.realtime;
  if (realtime === undefined) return [];
  const { sessions, concurrency, openRate, turns, bucket } = realtime;
  const classes = Object.entries(sessions.byClass)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => `${name} ${formatCount(count)}`);
  const rows: SummaryRow[] = [
    { label: 'sessions', value: `${formatCount(sessions.opened)} opened · ${formatCount(sessions.refused)} refused`, tone: sessions.refused > 0 ? 'bad' : 'good' },
    { label: 'refusals by class', value: classes.length === 0 ? 'none' : classes.join(' · '), tone: classes.length === 0 ? 'plain' : 'bad' },
    { label: 'concurrency cap', value: concurrency.cap === null ? `${NOT_MEASURED} (${concurrency.confidence})` : `${formatCount(concurrency.cap)} sessions (${concurrency.confidence})`, tone: 'plain' },
    {
      label: 'new sessions',
      value:
        openRate.burst === null && openRate.perMinute === null
          ? NOT_MEASURED
          : `burst ${openRate.burst === null ? NOT_MEASURED : formatCount(openRate.burst)} · ${openRate.perMinute === null ? NOT_MEASURED : formatDecimal(openRate.perMinute)} per min · ${openRate.shape} (${openRate.confidence})`,
      tone: 'plain',
    },
  ];
  if (turns.perMinute !== null || turns.tokensPerMinute !== null) {
    rows.push({ label: 'responses', value: `${turns.perMinute === null ? NOT_MEASURED : formatDecimal(turns.perMinute)} per min · ${turns.tokensPerMinute === null ? NOT_MEASURED : formatCount(turns.tokensPerMinute)} tokens per min`, tone: 'plain' });
  }
  if (bucket.limit !== null) {
    rows.push({
      label: 'rate_limits.updated',
      value: `limit ${formatCount(bucket.limit)} · refill ${bucket.refillPerSecond === null ? NOT_MEASURED : formatDecimal(bucket.refillPerSecond)}/s · reserved ${bucket.reservedTokens === null ? NOT_MEASURED : formatCount(bucket.reservedTokens)}`,
      tone: 'plain',
    });
  }
  return rows;
}

/** Every two-column section in display order (the limits comparison is separate); a Realtime section last when there were sessions. */
export function summarySections(summary: Summary): SummarySection[] {
  const sections: SummarySection[] = [
    { title: 'Requests', rows: requestRows(summary) },
    { title: 'Headers', rows: headerRows(summary) },
    ...latencySection(summary),
    { title: 'Run', rows: [...runRows(summary), ...sourceRows(summary)] },
  ];
  if (summary.realtime !== undefined) sections.push({ title: 'Realtime sessions', rows: realtimeRows(summary) });
  return sections;
}

/** The "Latency" section (latency-rows.ts), absent when the summary has no LLM figures. */
function latencySection(summary: Summary): SummarySection[] {
  const rows = latencyRows(summary);
  return rows.length === 0 ? [] : [{ title: 'Latency', rows }];
}

/** The advertised column's heading, naming where the figures came from. */
export function advertisedHeading(summary: Summary): string {
  return `advertised (${summary.advertised.source})`;
}

/** A short headline above the verdict: how much was refused, and from which request on. */
export function verdictHeadline(summary: Summary): string {
  const { requests, throttled } = summary;
  if (requests.sent === 0 && summary.realtime !== undefined) {
    const { opened, refused, byClass } = summary.realtime.sessions;
    const refusals = Object.entries(byClass).reduce((sum, [name, count]) => sum + (name === 'session-expired' ? 0 : count), 0);
    if (refused > 0) return `${formatCount(refused)} of ${formatCount(opened + refused)} sessions refused`;
    if (refusals > 0) return `${formatCount(opened)} sessions opened; ${formatCount(refusals)} refusal${refusals === 1 ? '' : 's'} inside them`;
    return `No refusals: ${formatCount(opened)} session${opened === 1 ? '' : 's'} opened`;
  }
  if (requests.sent === 0) return 'No requests in the recording';
  const requestsWord = requests.sent === 1 ? 'request' : 'requests';
  if (requests.throttled === 0 && requests.failed === 0) return requests.sent === 1 ? 'No refusals: the 1 request was admitted' : `No refusals: all ${formatCount(requests.sent)} requests admitted`;
  if (requests.throttled === 0) return `No refusals: ${formatCount(requests.ok)} of ${formatCount(requests.sent)} ${requestsWord} admitted, ${formatCount(requests.failed)} failed`;
  const first = firstRefusedText(throttled);
  const from = first === null ? '' : `, the first at ${first}`;
  return `${formatCount(requests.throttled)} of ${formatCount(requests.sent)} ${requestsWord} refused${from}`;
}

/** The per-target and per-region figures side by side: one row per entry. */
export interface GroupComparison {
  headings: string[];
  rows: string[][];
}

/**
 * byTarget and byRegion as one comparison table; null when the run had one target
 * and at most one region (the top-level figures say it all).
 */
export function groupComparison(summary: Summary): GroupComparison | null {
  const targets = Object.entries(summary.byTarget ?? {});
  const regions = Object.entries(summary.byRegion ?? {});
  if (targets.length < 2 && regions.length < 2) return null;
  const figure = (value: number | null): string => (value === null ? '—' : formatCount(value));
  const row = (label: string, group: GroupSummary): string[] => [
    label,
    formatCount(group.requests.sent),
    formatCount(group.requests.ok),
    formatCount(group.requests.throttled),
    figure(group.effective.requests.burst),
    group.effective.requests.perSecond === null ? '—' : String(group.effective.requests.perSecond),
    group.latency.p50 === null ? '—' : String(group.latency.p50),
  ];
  const rows = [
    ...(targets.length > 1 ? targets.map(([id, group]) => row(`target ${id}`, group)) : []),
    ...regions.map(([key, group]) => row(`region ${group.name ?? key}`, group)),
  ];
  return { headings: ['', 'sent', 'admitted', 'refused', 'burst', 'per second', 'p50 ms'], rows };
}

/** The gateway reading as lines: what kind of path, each sign, each failover; empty when none was seen. */
export function gatewayLines(summary: Summary): string[] {
  const gateway = summary.gateway;
  if (gateway === undefined || !gateway.detected) return [];
  const lines = [`gateway: ${gateway.kind}`];
  for (const sign of gateway.signs) lines.push(`${sign.code}: ${sign.text}`);
  for (const failover of gateway.failovers) lines.push(`failover at ${(failover.atMs / 1000).toFixed(3)} s (${failover.target}): ${failover.from} → ${failover.to}`);
  if (gateway.strippedHeaders.length > 0) lines.push(`stripped: ${gateway.strippedHeaders.join(', ')}`);
  return lines;
}
