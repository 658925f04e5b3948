/**
 * Concurrency cap: the load is the number of admitted requests still being
 * answered. Time plays no part except through when answers end.
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';

/** Concurrency-cap replay model. */
export class ConcurrencyModel implements ReplayModel {
  /** Release times of admitted requests not yet known to have ended. */
  private releases: number[] = [];

  loadAt(atMs: number): number {
    let inFlight = 0;
    for (const releaseMs of this.releases) if (releaseMs > atMs) inFlight++;
    return inFlight;
  }

  record(atMs: number, _weight: number, admitted: boolean, releaseMs: number): void {
    // Arrivals come in time order, so releases before this one can be forgotten.
    this.releases = this.releases.filter((release) => release > atMs);
    if (admitted) this.releases.push(releaseMs);
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted, releaseMs } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1, releaseMs[index]!);
    }
  }

  clone(): ConcurrencyModel {
    const copy = new ConcurrencyModel();
    copy.releases = this.releases.slice();
    return copy;
  }
}
