/**
 * Fixed window that starts at the first request after the previous one ended
 * (express-rate-limit's memory store, rate-limiter-flexible's RateLimiterMemory):
 * the window is [first hit, first hit + window), and every hit in it counts,
 * refused ones included.
 *
 * Block mode (rate-limiter-flexible's `blockDuration`): the first refusal of a
 * window moves its end to refusal + block, so an exhausted client waits the block
 * out however early in the window it was refused.
 *
 * Restart mode (Apache mod_evasive, ban lists fed by refusals, "blocked until quiet"):
 * every refusal moves the end to refusal + block, so a client that keeps knocking is
 * never let in; only a whole block of silence opens a new window.
 */
import type { ReplayColumns, ReplayModel } from './replay-model.js';

/** Anchored fixed-window replay model, optionally with a block after the first refusal. */
export class AnchoredWindowModel implements ReplayModel {
  private endMs = Number.NEGATIVE_INFINITY;
  private used = 0;
  private blocked = false;

  constructor(
    private readonly windowMs: number,
    private readonly blockMs: number | null,
    private readonly restart = false,
  ) {}

  loadAt(atMs: number): number {
    return atMs < this.endMs ? this.used : 0;
  }

  record(atMs: number, weight: number, admitted: boolean): void {
    // Only an admitted request opens a window (the first hit of a window always fits).
    // A refusal after the modelled end means the limiter was still closed — this
    // setting's window or block is a little short. Opening (and blocking) a new window
    // on it would turn that small error into wrong predictions for everything after;
    // leaving the state alone costs only the requests in the gap.
    if (!admitted && atMs >= this.endMs) {
      // Restart mode: the real limiter was shut and this refusal shut it again for a
      // whole block, whatever the model thought; the count of the last window stays.
      if (this.restart && this.blockMs !== null) this.endMs = atMs + this.blockMs;
      return;
    }
    if (atMs >= this.endMs) {
      this.endMs = atMs + this.windowMs;
      this.used = 0;
      this.blocked = false;
    }
    this.used += weight;
    if (!admitted && this.blockMs !== null && (this.restart || !this.blocked)) {
      this.blocked = true;
      this.endMs = atMs + this.blockMs;
    }
  }

  replay(requests: ReplayColumns, values: Float64Array, from = 0, to = requests.length): void {
    const { atMs, weight, admitted } = requests;
    for (let index = from; index < to; index++) {
      values[index] = this.loadAt(atMs[index]!) + weight[index]!;
      this.record(atMs[index]!, weight[index]!, admitted[index] === 1);
    }
  }

  clone(): AnchoredWindowModel {
    const copy = new AnchoredWindowModel(this.windowMs, this.blockMs, this.restart);
    copy.endMs = this.endMs;
    copy.used = this.used;
    copy.blocked = this.blocked;
    return copy;
  }
}
