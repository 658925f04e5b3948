/**
 * Sliding-window counter (Cloudflare, HAProxy stick tables, many gateways): only
 * the counts of the current fixed window and the one before are kept, and the load
 * over the last window is estimated as
 *
 *     previous × (1 − elapsed / window) + current
 *
 * where `elapsed` is the time since the current window began. After exhaustion it
 * recovers gradually, but only from the next boundary on.
 *
 * Penalty mode: refused requests are counted too (HAProxy's `sc_http_req_rate`
 * counts every request it tracks), which weighs on the next window's estimate.
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';

/** Sliding-window counter replay model. */
export class SlidingCounterModel implements ReplayModel {
  private windowIndex = Number.NEGATIVE_INFINITY;
  private current = 0;
  private previous = 0;

  constructor(
    private readonly windowMs: number,
    private readonly phaseMs: number,
    private readonly penalty: boolean,
  ) {}

  private indexOf(atMs: number): number {
    return Math.floor((atMs - this.phaseMs) / this.windowMs);
  }

  loadAt(atMs: number): number {
    const index = this.indexOf(atMs);
    let previous = 0;
    let current = 0;
    if (index === this.windowIndex) {
      previous = this.previous;
      current = this.current;
    } else if (index === this.windowIndex + 1) {
      previous = this.current;
    }
    const elapsed = (atMs - (this.phaseMs + index * this.windowMs)) / this.windowMs;
    return previous * (1 - elapsed) + current;
  }

  record(atMs: number, weight: number, admitted: boolean): void {
    const index = this.indexOf(atMs);
    if (index !== this.windowIndex) {
      this.previous = index === this.windowIndex + 1 ? this.current : 0;
      this.current = 0;
      this.windowIndex = index;
    }
    if (admitted || this.penalty) this.current += weight;
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1);
    }
  }

  clone(): SlidingCounterModel {
    const copy = new SlidingCounterModel(this.windowMs, this.phaseMs, this.penalty);
    copy.windowIndex = this.windowIndex;
    copy.current = this.current;
    copy.previous = this.previous;
    return copy;
  }
}
