/**
 * Token bucket (and GCRA, which is the same limiter written as one timestamp),
 * replayed as a debt: the units taken and not yet refilled. The debt drains at
 * the refill rate and never goes below zero; the load a new request sees is the
 * debt, so "admit when debt + weight ≤ capacity" is "admit when the bucket holds
 * the weight".
 *
 * Penalty mode: a refused request takes what is left in the bucket (it can empty
 * it, never overdraw it), so the debt rises to at most the capacity. That is why
 * this model needs the capacity while the others do not.
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';

/** Token bucket replayed as a debt. */
export class TokenBucketModel implements ReplayModel {
  private debt = 0;
  private updatedMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ratePerSecond: number,
    private readonly penalty: boolean,
    private readonly capacity: number,
  ) {}

  loadAt(atMs: number): number {
    if (this.debt === 0) return 0;
    return Math.max(0, this.debt - ((atMs - this.updatedMs) * this.ratePerSecond) / 1000);
  }

  record(atMs: number, weight: number, admitted: boolean): void {
    const debt = this.loadAt(atMs);
    this.updatedMs = atMs;
    if (admitted) this.debt = debt + weight;
    else if (this.penalty) this.debt = Math.min(this.capacity, debt + weight);
    else this.debt = debt;
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1);
    }
  }

  clone(): TokenBucketModel {
    const copy = new TokenBucketModel(this.ratePerSecond, this.penalty, this.capacity);
    copy.debt = this.debt;
    copy.updatedMs = this.updatedMs;
    return copy;
  }
}
