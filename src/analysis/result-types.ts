/**
 * What the analysis hands to the renderers: the summary JSON plus the series a
 * person looks at (the timeline) and per-target breakdowns. Renderers in src/report
 * take this and only this.
 */
import type { RetryTimeline } from './retry/types.js';
import type { Summary } from './summary-types.js';

/** One slice of the timeline (docs/summary.md): what happened between startMs and startMs + sliceMs. */
export interface TimelineSlice {
  startMs: number;
  sent: number;
  admitted: number;
  refused: number;
  failed: number;
  dropped: number;
  /** Lowest x-ratelimit-remaining-requests (or equivalent) seen on answers done in this slice; null if none. */
  remainingRequests: number | null;
  remainingTokens: number | null;
  /** Latency of admitted requests done in this slice, ms (p50 and max). */
  latencyP50Ms: number | null;
  latencyMaxMs: number | null;
}

/** Requests and headers over time, sliced evenly; built by src/analysis/timeline.ts. */
export interface Timeline {
  sliceMs: number;
  slices: TimelineSlice[];
  /** Time (ms from run start) of the first refusal, for a marker; null when none. */
  firstRefusalMs: number | null;
  /** Phase starts, for labels. */
  phases: { name: string; startMs: number }[];
  /** Refusals per class over the whole run, for the refusal-class chart. */
  refusalsByClass: Record<string, number>;
  /** Per-request points for the latency-over-time chart (admitted only), capped in count (evenly sampled). */
  latencyPoints: { atMs: number; latencyMs: number; status: number | null }[];
}

/** The summary of one target or region, when a run had several. */
export interface TargetBreakdown {
  target: string;
  region: string | null;
  sent: number;
  ok: number;
  throttled: number;
  failed: number;
  firstThrottledSeq: number | null;
}

/** Everything a renderer needs. */
export interface AnalysisResult {
  summary: Summary;
  timeline: Timeline;
  byTarget: TargetBreakdown[];
  /** Non-fatal problems found while reading (e.g. "last line truncated; ignored"). */
  warnings: string[];
  /** Per retry policy: attempts and refusals over time (when callers retried). */
  retryTimelines?: RetryTimeline[];
}
