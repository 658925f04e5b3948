/**
 * Two sliding-window logs in AND: L₁ in any W₁ and, behind it, a slower L₂ in any W₂
 * (Azure's 1-s cap and its 10-s window; two rate zones on one route). A request is
 * admitted only when both logs have room, and an admitted request counts in both.
 *
 * Why one load for two limits: the decision rule of every replay model is "admit when
 * load + weight ≤ capacity" (replay-model.ts), with the capacity fitted outside. The
 * pair keeps L₂ as L₁ plus a fixed `extra`, so "room in both" is one comparison:
 * max(load₁, load₂ − extra) + weight ≤ L₁. The fit searches `extra` itself
 * (pair-fit.ts).
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';
import { SlidingLogModel } from './sliding-log.js';

/** Replay model of two sliding logs in AND. */
export class SlidingLogPairModel implements ReplayModel {
  constructor(
    private readonly first: SlidingLogModel,
    private readonly second: SlidingLogModel,
    private readonly extra: number,
  ) {}

  /** A pair of empty logs: the first `firstWindowMs` long, the second `secondWindowMs` long and `extra` requests larger. */
  static create(firstWindowMs: number, secondWindowMs: number, extra: number): SlidingLogPairModel {
    return new SlidingLogPairModel(new SlidingLogModel(firstWindowMs, false), new SlidingLogModel(secondWindowMs, false), extra);
  }

  loadAt(atMs: number): number {
    return Math.max(this.first.loadAt(atMs), this.second.loadAt(atMs) - this.extra);
  }

  record(atMs: number, weight: number, admitted: boolean): void {
    this.first.record(atMs, weight, admitted);
    this.second.record(atMs, weight, admitted);
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1);
    }
  }

  clone(): SlidingLogPairModel {
    return new SlidingLogPairModel(this.first.clone(), this.second.clone(), this.extra);
  }
}
