/**
 * When the run was busy: the union of every request's [sent, done] span, merged
 * into intervals, so the burst measurement can ask "was the limiter idle before
 * this burst, and for how long?" without keeping every request.
 *
 * Why merging with a gap: a steady run is one long busy interval; only pauses
 * longer than `mergeGapMs` (1 s to start with) stay separate, and only pauses of
 * several seconds matter for idleness (the shortest window Azure uses is 10 s for
 * requests). If a pathological recording makes more than `maxIntervals` pauses,
 * the merge gap doubles; that only blurs pauses shorter than the new gap.
 */
export class ActivityIntervals {
  private starts: number[] = [];
  private ends: number[] = [];
  private mergeGapMs: number;
  private readonly maxIntervals: number;

  constructor(mergeGapMs = 1000, maxIntervals = 10_000) {
    this.mergeGapMs = mergeGapMs;
    this.maxIntervals = maxIntervals;
  }

  /** Records that something was in flight from `startMs` to `endMs`. */
  add(startMs: number, endMs: number): void {
    if (!Number.isFinite(startMs)) return;
    const start = startMs;
    const end = Number.isFinite(endMs) && endMs >= startMs ? endMs : startMs;
    // The common case: the span starts within the last interval (or its gap) — extend it in place.
    const last = this.starts.length - 1;
    if (last >= 0 && start >= this.starts[last]! && start <= this.ends[last]! + this.mergeGapMs) {
      if (end > this.ends[last]!) this.ends[last] = end;
      return;
    }
    // Lines arrive roughly in time order, so the insertion point is almost always near the end.
    let index = this.starts.length;
    while (index > 0 && this.starts[index - 1]! > start) index--;
    this.starts.splice(index, 0, start);
    this.ends.splice(index, 0, end);
    this.mergeAround(index);
    if (this.starts.length > this.maxIntervals) {
      this.mergeGapMs *= 2;
      this.mergeAll();
    }
  }

  private mergeAround(index: number): void {
    let at = index;
    // Merge into the previous interval when they touch (within the gap).
    if (at > 0 && this.starts[at]! <= this.ends[at - 1]! + this.mergeGapMs) {
      this.ends[at - 1] = Math.max(this.ends[at - 1]!, this.ends[at]!);
      this.starts.splice(at, 1);
      this.ends.splice(at, 1);
      at--;
    }
    // Swallow following intervals that now touch.
    while (at + 1 < this.starts.length && this.starts[at + 1]! <= this.ends[at]! + this.mergeGapMs) {
      this.ends[at] = Math.max(this.ends[at]!, this.ends[at + 1]!);
      this.starts.splice(at + 1, 1);
      this.ends.splice(at + 1, 1);
    }
  }

  private mergeAll(): void {
    const starts: number[] = [];
    const ends: number[] = [];
    for (let index = 0; index < this.starts.length; index++) {
      const last = ends.length - 1;
      if (last >= 0 && this.starts[index]! <= ends[last]! + this.mergeGapMs) {
        ends[last] = Math.max(ends[last]!, this.ends[index]!);
      } else {
        starts.push(this.starts[index]!);
        ends.push(this.ends[index]!);
      }
    }
    this.starts = starts;
    this.ends = ends;
  }

  /**
   * How long nothing had been in flight before `timeMs`, ms: Infinity when nothing
   * happened before it, 0 when activity that started earlier was still going on (or
   * ended less than the merge gap before).
   */
  idleBefore(timeMs: number): number {
    // The last interval that starts strictly before timeMs.
    let index = this.starts.length - 1;
    while (index >= 0 && this.starts[index]! >= timeMs) index--;
    if (index < 0) return Number.POSITIVE_INFINITY;
    const end = this.ends[index]!;
    return end >= timeMs ? 0 : timeMs - end;
  }
}
