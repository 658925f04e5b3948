/**
 * Live counters for the progress line: a RecordSink tap that counts lines as they pass
 * on to the real sink. Plain data, no rendering decisions, no process access: the CLI
 * decides when to show the line (a TTY, runs longer than ~2 s, not with --quiet) and
 * calls `formatProgress` with the clock's time.
 *
 * Why counters of their own and not the analysis: the analysis folds a whole recording
 * into a summary; the progress line needs five numbers updated on every line at up to
 * tens of thousands of lines a second, so it keeps exactly those and nothing else.
 */
import type { RecordLine, RecordSink } from '../record/types.js';

/** Width of one bucket of the "current rate" window, ms. */
const BUCKET_MS = 100;
/** Buckets in the one-second window. */
const WINDOW_BUCKETS = 10;

/** What the progress line shows. `sent` counts finished requests (admitted + refused + failed). */
export interface ProgressCounters {
  sent: number;
  /** 2xx answers. */
  admitted: number;
  /** 429 and 503 answers: the limiter (or the capacity) said no. */
  refused: number;
  /** Everything else: transport errors, other statuses, aborts. */
  failed: number;
  /** Planned requests not sent (the in-flight ceiling). */
  dropped: number;
}

/** A RecordSink that counts what passes through it and forwards every line to `next`. */
export class LiveCounters implements RecordSink, ProgressCounters {
  sent = 0;
  admitted = 0;
  refused = 0;
  failed = 0;
  dropped = 0;

  /**
   * Requests finished per 100 ms bucket, in a ring: `bucketCounts[i]` holds the count of
   * bucket number `bucketIds[i]` (doneMs / 100, rounded down).
   */
  private readonly bucketIds = new Float64Array(WINDOW_BUCKETS + 1).fill(-1);
  private readonly bucketCounts = new Float64Array(WINDOW_BUCKETS + 1);

  constructor(private readonly next?: RecordSink) {}

  write(line: RecordLine): void {
    if (line.type === 'request') {
      this.sent++;
      const status = line.status;
      if (status !== null && status >= 200 && status < 300) this.admitted++;
      else if (status === 429 || status === 503) this.refused++;
      else this.failed++;
      this.countInWindow(line.doneMs);
    } else if (line.type === 'dropped') {
      this.dropped++;
    }
    this.next?.write(line);
  }

  /**
   * Requests finished per second over the last second before `nowMs` (the bucket `nowMs`
   * falls in and the nine before it; shorter at the very start of a run).
   */
  ratePerSecond(nowMs: number): number {
    const currentBucket = Math.floor(nowMs / BUCKET_MS);
    const oldestBucket = currentBucket - WINDOW_BUCKETS + 1;
    let count = 0;
    for (let slot = 0; slot < this.bucketIds.length; slot++) {
      const id = this.bucketIds[slot]!;
      if (id >= oldestBucket && id <= currentBucket) count += this.bucketCounts[slot]!;
    }
    const windowMs = nowMs - Math.max(0, oldestBucket) * BUCKET_MS;
    return windowMs > 0 ? (count * 1000) / windowMs : 0;
  }

  private countInWindow(doneMs: number): void {
    const id = Math.floor(doneMs / BUCKET_MS);
    const slot = id % this.bucketIds.length;
    if (this.bucketIds[slot] !== id) {
      // Answers arrive roughly in time order; one older than the ring's span is not "current".
      if (this.bucketIds[slot]! > id) return;
      this.bucketIds[slot] = id;
      this.bucketCounts[slot] = 0;
    }
    this.bucketCounts[slot]!++;
  }
}

/**
 * The progress line, one line of plain text without colour:
 * `  12.0 s  sent 600  admitted 480  refused 120  failed 0  rate 50.0/s`
 * (`dropped N` is added once anything was dropped).
 */
export function formatProgress(counters: ProgressCounters & { ratePerSecond(nowMs: number): number }, nowMs: number): string {
  const parts = [
    `${(nowMs / 1000).toFixed(1).padStart(6)} s`,
    `sent ${counters.sent}`,
    `admitted ${counters.admitted}`,
    `refused ${counters.refused}`,
    `failed ${counters.failed}`,
  ];
  if (counters.dropped > 0) parts.push(`dropped ${counters.dropped}`);
  parts.push(`rate ${counters.ratePerSecond(nowMs).toFixed(1)}/s`);
  return parts.join('  ');
}
