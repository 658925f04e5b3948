/**
 * Collects the arrival times of a streamed answer's content chunks into the
 * bounded `stream` field of its request line (src/record/types.ts, StreamTiming):
 * first and last content time, the count, and a sample of the gaps between them.
 *
 * Why a doubling stride and not a random sample: the same stream always gives the
 * same line (recordings are diffed), memory stays fixed whatever the answer's
 * length, and the kept gaps spread evenly over the whole answer.
 */
import { MAX_STREAM_GAPS, type StreamTiming } from '../record/types.js';

/** Records content-chunk arrivals of one stream; {@link result} gives the line's field. */
export class StreamTimingRecorder {
  private firstMs: number | null = null;
  private lastMs: number | null = null;
  private chunks = 0;
  /** Index of the next gap (0-based count of gaps seen). */
  private gapIndex = 0;
  private gaps: number[] = [];
  private every = 1;

  constructor(private readonly maxGaps: number = MAX_STREAM_GAPS) {}

  /** One content chunk arrived at `atMs` (the run clock). */
  content(atMs: number): void {
    this.chunks++;
    if (this.lastMs === null) {
      this.firstMs = atMs;
      this.lastMs = atMs;
      return;
    }
    const gap = Math.max(0, atMs - this.lastMs);
    this.lastMs = atMs;
    const index = this.gapIndex++;
    if (index % this.every !== 0) return;
    if (this.gaps.length === this.maxGaps) {
      // Keep gaps 0, 2·every, 4·every… and keep every 2·every-th from now on.
      this.gaps = this.gaps.filter((_, position) => position % 2 === 0);
      this.every *= 2;
      if (index % this.every !== 0) return;
    }
    this.gaps.push(Math.round(gap * 100) / 100);
  }

  /** The line's `stream` field. */
  result(): StreamTiming {
    return { firstTokenMs: this.firstMs, lastTokenMs: this.lastMs, chunks: this.chunks, gapsMs: this.gaps, gapsEvery: this.every };
  }
}
