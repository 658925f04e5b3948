/**
 * Fixed window on the clock: windows [phase + k·window, phase + (k+1)·window), the
 * count starting again at every boundary. `phaseMs` places the boundaries on the
 * recording's time line (we cannot know the server's clock, so it is fitted).
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';

/** Clock-aligned fixed-window replay model. */
export class FixedWindowModel implements ReplayModel {
  private windowIndex = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(
    private readonly windowMs: number,
    private readonly phaseMs: number,
  ) {}

  private indexOf(atMs: number): number {
    return Math.floor((atMs - this.phaseMs) / this.windowMs);
  }

  loadAt(atMs: number): number {
    return this.indexOf(atMs) === this.windowIndex ? this.used : 0;
  }

  record(atMs: number, weight: number, admitted: boolean): void {
    const index = this.indexOf(atMs);
    if (index !== this.windowIndex) {
      this.windowIndex = index;
      this.used = 0;
    }
    if (admitted) this.used += weight;
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1);
    }
  }

  clone(): FixedWindowModel {
    const copy = new FixedWindowModel(this.windowMs, this.phaseMs);
    copy.windowIndex = this.windowIndex;
    copy.used = this.used;
    return copy;
  }
}
