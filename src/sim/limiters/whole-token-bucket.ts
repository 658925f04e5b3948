/**
 * A token bucket that refills in whole tokens only, counted from the last admitted
 * request: at each admission it adds floor(elapsed × rate) tokens and drops the
 * remainder, so the fraction earned since the last admission is lost every time
 * one is admitted. A common hand-written bucket (an integer count and the time of
 * the last take).
 *
 * Why it matters to a prober: paced at or below its rate it admits everything (each
 * gap earns at least one whole token), but offered a little more it admits far less
 * — at 6/s against 5/s, every second request finds 0.83 of a token, is refused, and
 * the next one finds 1.67 and keeps only 1 — about 3/s. The overdrive rate is not
 * the refill rate.
 */
import { EPSILON, wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a whole-token bucket. */
export interface WholeTokenBucketOptions {
  capacity: number;
  ratePerSecond: number;
}

/** Whole-token bucket: integer refill since the last admission, remainder dropped. */
export class WholeTokenBucketLimiter implements Limiter {
  readonly kind = 'whole-token-bucket';
  readonly limit: number;
  readonly ratePerSecond: number;
  readonly penalty = false;
  private tokens: number;
  private lastAdmittedMs: number | undefined;

  constructor(options: WholeTokenBucketOptions) {
    this.limit = options.capacity;
    this.ratePerSecond = options.ratePerSecond;
    this.tokens = options.capacity;
  }

  /** Whole tokens available at `nowMs` (the stored count plus whole tokens earned since the last admission). */
  private available(nowMs: number): number {
    if (this.lastAdmittedMs === undefined) return this.tokens;
    const earned = Math.floor(((nowMs - this.lastAdmittedMs) * this.ratePerSecond) / 1000 + EPSILON);
    return Math.min(this.limit, this.tokens + Math.max(0, earned));
  }

  /** Milliseconds from `nowMs` until `count` whole tokens are available. */
  private untilAvailable(nowMs: number, count: number): number {
    if (this.lastAdmittedMs === undefined) return 0;
    const needed = Math.max(0, count - this.tokens);
    return Math.max(0, this.lastAdmittedMs + (needed * 1000) / this.ratePerSecond - nowMs);
  }

  check(nowMs: number, cost: number): LimiterDecision {
    const tokens = this.available(nowMs);
    const admitted = tokens + EPSILON >= cost;
    const after = admitted ? tokens - cost : tokens;
    let retryAfterMs = 0;
    if (!admitted) retryAfterMs = cost > this.limit + EPSILON ? Number.POSITIVE_INFINITY : this.untilAvailable(nowMs, cost);
    // After an admission the clock restarts at now, so the wait for a full bucket counts from now.
    const resetMs = admitted ? ((this.limit - after) * 1000) / this.ratePerSecond : this.untilAvailable(nowMs, this.limit);
    return { admitted, remaining: wholeUnits(after), limit: this.limit, resetMs: Math.max(0, resetMs), retryAfterMs };
  }

  commit(nowMs: number, cost: number, admitted: boolean): void {
    if (!admitted) return;
    this.tokens = Math.max(0, this.available(nowMs) - cost);
    this.lastAdmittedMs = nowMs;
  }

  release(): void {
    // Rate limiters give nothing back when a request ends.
  }
}
