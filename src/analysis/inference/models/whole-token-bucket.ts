/**
 * A token bucket that refills in whole tokens counted from the last admitted request,
 * dropping the remainder at every admission (a common hand-written bucket: an integer
 * count and the time of the last take).
 *
 * Why a model of its own: offered a little more than its rate it admits far less
 * (every second request at 1.2 × the rate), and a plain bucket fitted to that
 * overdrive takes the collapse for the refill rate. This one explains both the
 * collapse and the full admission at the rate with one parameter.
 *
 * The load a request sees is capacity − whole tokens available, so this model needs
 * the capacity (capacityDependent in the catalogue).
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';

/** Float noise forgiven when counting whole tokens earned. */
const EPSILON = 1e-9;

/** Whole-token bucket replay model. */
export class WholeTokenBucketModel implements ReplayModel {
  private tokens: number;
  private lastAdmittedMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  private available(atMs: number): number {
    if (this.lastAdmittedMs === Number.NEGATIVE_INFINITY) return this.tokens;
    const earned = Math.floor(((atMs - this.lastAdmittedMs) * this.ratePerSecond) / 1000 + EPSILON);
    return Math.min(this.capacity, this.tokens + Math.max(0, earned));
  }

  loadAt(atMs: number): number {
    return Math.max(0, this.capacity - this.available(atMs));
  }

  record(atMs: number, weight: number, admitted: boolean): void {
    if (!admitted) return;
    this.tokens = Math.max(0, this.available(atMs) - weight);
    this.lastAdmittedMs = atMs;
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1);
    }
  }

  clone(): WholeTokenBucketModel {
    const copy = new WholeTokenBucketModel(this.ratePerSecond, this.capacity);
    copy.tokens = this.tokens;
    copy.lastAdmittedMs = this.lastAdmittedMs;
    return copy;
  }
}
