/**
 * The timeline of result-types.ts: what happened per slice of time, for the
 * terminal and HTML charts. Built in one pass in flat memory.
 *
 * Which time each count uses, and why:
 *  - `sent` by sentMs (when the load went out);
 *  - admitted / refused / failed, remaining-* and latency by doneMs (when the answer,
 *    and with it the headers, came back — what a person watching the run would see);
 *  - `dropped` by plannedMs (the request never had another time).
 *
 * The slice length is chosen at the end so that a run yields at most 60 slices:
 * the shortest of 100 ms, 250 ms, 500 ms, 1 s, 2 s, 5 s, 10 s, 15 s, 30 s, 1 min,
 * 2 min, 5 min, 10 min, 15 min, 30 min, 1 h, 2 h, 6 h, 12 h, 1 day that fits.
 */
import type { Timeline, TimelineSlice } from './result-types.js';
import { SliceLatency } from './slice-latency.js';
import { TimeBuckets } from './time-buckets.js';

/** Slice lengths the timeline can choose, ms. */
export const SLICE_LENGTHS_MS = [
  100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000,
  21_600_000, 43_200_000, 86_400_000,
] as const;

/** At most this many slices (the last one may be partial). */
export const TARGET_SLICES = 60;

/** At most this many latency points. */
export const MAX_LATENCY_POINTS = 2000;

interface SliceCounts {
  sent: number;
  admitted: number;
  refused: number;
  failed: number;
  dropped: number;
  remainingRequests: number | null;
  remainingTokens: number | null;
  latency: SliceLatency | null;
}

function lower(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

const SLICE_COUNTS = {
  create: (): SliceCounts => ({ sent: 0, admitted: 0, refused: 0, failed: 0, dropped: 0, remainingRequests: null, remainingTokens: null, latency: null }),
  merge: (into: SliceCounts, from: SliceCounts): void => {
    into.sent += from.sent;
    into.admitted += from.admitted;
    into.refused += from.refused;
    into.failed += from.failed;
    into.dropped += from.dropped;
    into.remainingRequests = lower(into.remainingRequests, from.remainingRequests);
    into.remainingTokens = lower(into.remainingTokens, from.remainingTokens);
    if (from.latency !== null) {
      if (into.latency === null) into.latency = from.latency;
      else into.latency.merge(from.latency);
    }
  },
};

type LatencyPoint = Timeline['latencyPoints'][number];

/** Chooses the slice length for a run `spanMs` long whose buckets are `bucketWidthMs` wide. */
export function chooseSliceMs(spanMs: number, bucketWidthMs: number): number {
  const wanted = Math.max(0, spanMs) / TARGET_SLICES;
  for (const length of SLICE_LENGTHS_MS) {
    if (length >= wanted && length >= bucketWidthMs && length % bucketWidthMs === 0) return length;
  }
  return SLICE_LENGTHS_MS[SLICE_LENGTHS_MS.length - 1]!;
}

/** Folds events into a Timeline. */
export class TimelineBuilder {
  private readonly buckets = new TimeBuckets(SLICE_COUNTS);
  private readonly phases: { name: string; startMs: number }[] = [];
  private readonly refusalsByClass: Record<string, number> = {};
  private firstRefusalMs: number | null = null;
  private points: LatencyPoint[] = [];
  private stride = 1;
  private admittedSeen = 0;

  /** A request went out. */
  sent(sentMs: number): void {
    this.buckets.at(sentMs).sent++;
  }

  /** An answer (or failure) came back; `latencyMs` for admitted answers only. */
  answered(doneMs: number, outcome: 'admitted' | 'refused' | 'failed', latencyMs: number | null): void {
    const bucket = this.buckets.at(doneMs);
    bucket[outcome]++;
    if (outcome === 'admitted' && latencyMs !== null) {
      bucket.latency ??= new SliceLatency();
      bucket.latency.add(latencyMs);
    }
  }

  /** The remaining-* headers an answer carried. */
  remaining(doneMs: number, requests: number | null, tokens: number | null): void {
    if (requests === null && tokens === null) return;
    const bucket = this.buckets.at(doneMs);
    bucket.remainingRequests = lower(bucket.remainingRequests, requests);
    bucket.remainingTokens = lower(bucket.remainingTokens, tokens);
  }

  /** A refusal of some class, answered at doneMs. */
  refusal(doneMs: number, refusalClass: string): void {
    this.refusalsByClass[refusalClass] = (this.refusalsByClass[refusalClass] ?? 0) + 1;
    if (Number.isFinite(doneMs) && (this.firstRefusalMs === null || doneMs < this.firstRefusalMs)) this.firstRefusalMs = doneMs;
  }

  /** A planned request that was not sent. */
  dropped(plannedMs: number): void {
    this.buckets.at(plannedMs).dropped++;
  }

  /** A phase began. */
  phase(name: string, startMs: number): void {
    this.phases.push({ name, startMs });
  }

  /**
   * An admitted answer's latency, for the latency-over-time chart. Why the stride:
   * the number of answers is unknown until the end, so every `stride`-th one is kept
   * and the stride doubles (dropping every other kept point) whenever twice the cap
   * is reached; the result is evenly spread over the run in bounded memory.
   */
  latencyPoint(sentMs: number, latencyMs: number, status: number | null): void {
    if (this.admittedSeen++ % this.stride !== 0) return;
    this.points.push({ atMs: Math.round(sentMs * 1000) / 1000, latencyMs: Math.round(latencyMs * 10) / 10, status });
    if (this.points.length >= 2 * MAX_LATENCY_POINTS) {
      this.points = this.points.filter((_, index) => index % 2 === 0);
      this.stride *= 2;
    }
  }

  /** The timeline of a run that lasted `spanMs`. */
  finish(spanMs: number): Timeline {
    const sliceMs = chooseSliceMs(spanMs, this.buckets.widthMs);
    const count = Math.max(1, Math.ceil(Math.max(0, spanMs) / sliceMs));
    const merged: SliceCounts[] = [];
    for (const [startMs, record] of this.buckets.entries()) {
      const index = Math.min(count - 1, Math.floor(startMs / sliceMs));
      // Merge into fresh records so the stored buckets stay untouched.
      const slice = (merged[index] ??= { ...SLICE_COUNTS.create(), latency: new SliceLatency() });
      SLICE_COUNTS.merge(slice, record);
    }
    const slices: TimelineSlice[] = [];
    for (let index = 0; index < count; index++) {
      const record = merged[index] ?? SLICE_COUNTS.create();
      slices.push({
        startMs: index * sliceMs,
        sent: record.sent,
        admitted: record.admitted,
        refused: record.refused,
        failed: record.failed,
        dropped: record.dropped,
        remainingRequests: record.remainingRequests,
        remainingTokens: record.remainingTokens,
        latencyP50Ms: roundTenth(record.latency?.p50() ?? null),
        latencyMaxMs: roundTenth(record.latency?.maxOrNull() ?? null),
      });
    }
    let points = this.points;
    if (points.length > MAX_LATENCY_POINTS) {
      const step = points.length / MAX_LATENCY_POINTS;
      points = Array.from({ length: MAX_LATENCY_POINTS }, (_, index) => points[Math.floor(index * step)]!);
    }
    return {
      sliceMs,
      slices,
      firstRefusalMs: this.firstRefusalMs,
      phases: [...this.phases].sort((a, b) => a.startMs - b.startMs),
      refusalsByClass: { ...this.refusalsByClass },
      latencyPoints: [...points].sort((a, b) => a.atMs - b.atMs),
    };
  }
}

function roundTenth(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}
