/**
 * Counters keyed by time, in flat memory, for a run whose length is only known at
 * the end.
 *
 * Why the odd widths: the timeline's slice length is chosen at the end from the
 * run's length (100 ms … 1 h, see timeline.ts), and every slice must be a whole
 * number of stored buckets. Buckets start at 50 ms, which divides every slice
 * length; when a run grows past `maxBuckets` buckets they are merged into wider
 * ones (500 ms, 5 s, 60 s, 5 min, 1 h, 1 day), each of which divides every slice
 * length the timeline can still choose by then (maxBuckets ≥ 600 guarantees it).
 */

/** Storage widths, ms; each divides every slice length of timeline.ts that is at least as long. */
export const BUCKET_WIDTHS_MS = [50, 500, 5000, 60_000, 300_000, 3_600_000, 86_400_000] as const;

/** How to make and combine the per-bucket record. */
export interface BucketKind<T> {
  create(): T;
  /** Adds `from` into `into` (used when buckets are merged into wider ones). */
  merge(into: T, from: T): void;
}

/** A growing series of per-bucket records keyed by time (ms from run start, ≥ 0). */
export class TimeBuckets<T> {
  private widthIndex = 0;
  private buckets: (T | undefined)[] = [];
  private readonly kind: BucketKind<T>;
  private readonly maxBuckets: number;

  constructor(kind: BucketKind<T>, maxBuckets = 1200) {
    this.kind = kind;
    this.maxBuckets = Math.max(600, maxBuckets);
  }

  /** The current bucket width, ms. */
  get widthMs(): number {
    return BUCKET_WIDTHS_MS[this.widthIndex]!;
  }

  /** The record of the bucket holding `timeMs` (negative or non-finite times go to the first bucket, absurdly late ones to the last). */
  at(timeMs: number): T {
    const time = Number.isFinite(timeMs) && timeMs > 0 ? timeMs : 0;
    let index = Math.floor(time / this.widthMs);
    while (index >= this.maxBuckets && this.widthIndex < BUCKET_WIDTHS_MS.length - 1) {
      this.widen();
      index = Math.floor(time / this.widthMs);
    }
    // Only absurd times (beyond maxBuckets days) get here; they share the last bucket.
    index = Math.min(index, this.maxBuckets - 1);
    let record = this.buckets[index];
    if (record === undefined) {
      record = this.kind.create();
      this.buckets[index] = record;
    }
    return record;
  }

  private widen(): void {
    const oldWidth = this.widthMs;
    this.widthIndex++;
    const factor = this.widthMs / oldWidth;
    const merged: (T | undefined)[] = [];
    this.buckets.forEach((record, index) => {
      if (record === undefined) return;
      const target = Math.floor(index / factor);
      const existing = merged[target];
      if (existing === undefined) merged[target] = record;
      else this.kind.merge(existing, record);
    });
    this.buckets = merged;
  }

  /** The buckets that hold something, in time order, with their start times. */
  *entries(): IterableIterator<[startMs: number, record: T]> {
    for (let index = 0; index < this.buckets.length; index++) {
      const record = this.buckets[index];
      if (record !== undefined) yield [index * this.widthMs, record];
    }
  }
}
