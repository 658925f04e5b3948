/**
 * Sliding-window log: at most `limit` units in any window of `windowMs` ending now.
 * Every admitted charge is remembered with its time and forgotten exactly
 * `windowMs` later. Azure's 10-s request window, its 1-s sub-cap and its 60-s
 * token window are all of this kind.
 *
 * Window arithmetic: a charge taken at time t counts for every `now` with
 * t > now − windowMs, i.e. it stops counting at now = t + windowMs exactly. A
 * refused request can therefore retry at `t + windowMs` of the oldest charge whose
 * expiry makes room, and `retryAfterMs` says exactly that.
 */
import { EPSILON, wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';
import { TimedCostQueue } from './timed-cost-queue.js';

/** Settings of a sliding-window log. */
export interface SlidingLogOptions {
  limit: number;
  windowMs: number;
  /** Refused requests are logged too, keeping the window full under overload. */
  penalty?: boolean;
}

/** Sliding-window log limiter (exact, one entry per charge). */
export class SlidingLogLimiter implements Limiter {
  readonly kind = 'sliding-log';
  readonly limit: number;
  readonly windowMs: number;
  readonly penalty: boolean;
  private readonly log = new TimedCostQueue();

  constructor(options: SlidingLogOptions) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.penalty = options.penalty ?? false;
  }

  check(nowMs: number, cost: number): LimiterDecision {
    this.log.expireUpTo(nowMs - this.windowMs);
    const used = this.log.total;
    const newest = this.log.newestTime;
    const resetWithoutCharge = newest === undefined ? 0 : newest + this.windowMs - nowMs;
    if (used + cost <= this.limit + EPSILON) {
      return {
        admitted: true,
        remaining: wholeUnits(this.limit - used - cost),
        limit: this.limit,
        resetMs: cost > 0 ? this.windowMs : resetWithoutCharge,
        retryAfterMs: 0,
      };
    }
    let retryAfterMs = Number.POSITIVE_INFINITY;
    if (cost <= this.limit + EPSILON) {
      const freedAt = this.log.timeWhenFreed(used + cost - this.limit - EPSILON);
      if (freedAt !== undefined) retryAfterMs = freedAt + this.windowMs - nowMs;
    }
    return {
      admitted: false,
      remaining: wholeUnits(this.limit - used),
      limit: this.limit,
      resetMs: resetWithoutCharge,
      retryAfterMs,
    };
  }

  commit(nowMs: number, cost: number): void {
    if (cost <= 0) return;
    // A refused request in penalty mode is logged like an admitted one: a client
    // that keeps knocking keeps the window full, and is let in again one window
    // after it stops.
    this.log.push(nowMs, cost);
  }

  release(): void {
    // Rate limiters give nothing back when a request ends.
  }
}
