/**
 * The retry figures of a summary (`retry` in the summary JSON, `callers` beside the
 * request counts): names exact, as the product contract lists them. Only additive changes.
 */
import type { RefusalClass } from '../summary-types.js';

/** Callers of one policy: how many there were, how many got their answer, how many gave up. */
export interface CallerCounts {
  total: number;
  done: number;
  gaveUp: number;
}

/** One policy's figures over its part of the recording. */
export interface RetryPolicyFigures {
  /** The policy as run (`exponential:cap=4s`, or a scenario file's own name). */
  name: string;
  /** Its parameters as run (durations as written: `500ms`, `8s`). */
  params: Record<string, string | number>;
  callers: CallerCounts;
  attempts: {
    total: number;
    /** Attempts per done caller (null when no caller was done). */
    perDone: number | null;
    /** Attempts the limiter refused (429, 503). */
    refused: number;
  };
  /** Most retries (attempts after a caller's first) sent within any 100 ms. */
  herdPeak: number;
  /** From the policy's start until its last caller was done, s; null when some caller gave up. */
  allDoneSeconds: number | null;
  /** Per done caller: first attempt sent to answer received, ms. */
  waitMs: { p50: number | null; p95: number | null; max: number | null };
  /** The refused attempts by limiter class, as `throttled.byClass`. */
  refusedByClass: Record<RefusalClass, number>;
}

/** The retry lab's block of the summary. */
export interface RetrySummary {
  policies: RetryPolicyFigures[];
  /** The best policy's name by `rule`; null when no policy ran. */
  best: string | null;
  /** How `best` was chosen, in words. */
  rule: string;
  /** Names the best and says why each other policy loses. */
  verdict: string;
  /** How the callers arrived (`burst` or a rate like `5/s`), when the recording says. */
  arrival: string | null;
  /** The caller limits of the run, when the recording says. */
  maxAttempts: number | null;
  giveUpAfterSeconds: number | null;
}

/** One slice of a policy's timeline: what was sent and answered in it. */
export interface RetryTimelineSlice {
  /** Slice start, ms from the policy's start. */
  startMs: number;
  /** First attempts sent in the slice. */
  firsts: number;
  /** Retries sent in the slice. */
  retries: number;
  /** Attempts sent in the slice that were refused. */
  refused: number;
  /** Callers done in the slice (their answer arrived in it). */
  done: number;
}

/** A policy's attempts and refusals over time. */
export interface RetryTimeline {
  policy: string;
  sliceMs: number;
  slices: RetryTimelineSlice[];
}
