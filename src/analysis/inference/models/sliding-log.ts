/**
 * Sliding-window log: every counted request is remembered and stops counting
 * exactly `windowMs` after it arrived. The load at t is the sum of the weights of
 * requests that arrived in (t − window, t].
 *
 * Penalty mode: refused requests are remembered too, so a client that keeps
 * knocking keeps the window full.
 *
 * The log is kept as arrival times with cumulative weights, so the load at any t
 * is one binary search and loadAt never changes the state (prediction asks it at
 * arbitrary times).
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';

/** Sliding-window log replay model. */
export class SlidingLogModel implements ReplayModel {
  private times: number[] = [];
  /** cumulative[i] = total weight of entries 0..i. */
  private cumulative: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly penalty: boolean,
  ) {}

  loadAt(atMs: number): number {
    const count = this.times.length;
    if (count === 0) return 0;
    const total = this.cumulative[count - 1]!;
    // Entries at or before atMs − window no longer count: find the last such one.
    const cutoff = atMs - this.windowMs;
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.times[middle]! <= cutoff) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? total : total - this.cumulative[low - 1]!;
  }

  record(atMs: number, weight: number, admitted: boolean): void {
    if (!admitted && !this.penalty) return;
    const previous = this.cumulative.length === 0 ? 0 : this.cumulative[this.cumulative.length - 1]!;
    this.times.push(atMs);
    this.cumulative.push(previous + weight);
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1);
    }
  }

  clone(): SlidingLogModel {
    const copy = new SlidingLogModel(this.windowMs, this.penalty);
    copy.times = this.times.slice();
    copy.cumulative = this.cumulative.slice();
    return copy;
  }
}
