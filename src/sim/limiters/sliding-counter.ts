/**
 * Sliding-window counter: the cheap approximation of a sliding window used by
 * Cloudflare, rate-limiter-flexible and many gateways. It keeps only the count of
 * the current fixed window and of the one before, and estimates the count over
 * the last `windowMs` as
 *
 *     estimate = previous × (1 − elapsed / windowMs) + current
 *
 * where `elapsed` is the time since the current window began. A request is
 * admitted when estimate + cost ≤ limit.
 *
 * Why the retry arithmetic has two cases: the estimate falls linearly while the
 * previous window's weight shrinks, so a refused request may fit later in the
 * same window (solve previous × (1 − f) + current + cost = limit for f); if even a
 * zero weight is not enough, it must wait for the next window, where today's
 * `current` becomes `previous` and the same equation applies again.
 */
import { EPSILON, wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a sliding-window counter. */
export interface SlidingCounterOptions {
  limit: number;
  windowMs: number;
  /** Refused requests are counted too, which weighs on the next window's estimate. */
  penalty?: boolean;
}

/** Sliding-window counter limiter (weighted previous window). */
export class SlidingCounterLimiter implements Limiter {
  readonly kind = 'sliding-counter';
  readonly limit: number;
  readonly windowMs: number;
  readonly penalty: boolean;
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private current = 0;
  private previous = 0;

  constructor(options: SlidingCounterOptions) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.penalty = options.penalty ?? false;
  }

  private roll(nowMs: number): void {
    const start = Math.floor(nowMs / this.windowMs) * this.windowMs;
    if (start === this.windowStartMs) return;
    this.previous = start === this.windowStartMs + this.windowMs ? this.current : 0;
    this.current = 0;
    this.windowStartMs = start;
  }

  /** The weighted count over the last window, as the limiter sees it at `nowMs`. */
  estimate(nowMs: number): number {
    this.roll(nowMs);
    const elapsedFraction = (nowMs - this.windowStartMs) / this.windowMs;
    return this.previous * (1 - elapsedFraction) + this.current;
  }

  check(nowMs: number, cost: number): LimiterDecision {
    const estimate = this.estimate(nowMs);
    const admitted = estimate + cost <= this.limit + EPSILON;
    return {
      admitted,
      remaining: wholeUnits(this.limit - estimate - (admitted ? cost : 0)),
      limit: this.limit,
      resetMs: this.resetMs(nowMs, admitted ? cost : 0),
      retryAfterMs: admitted ? 0 : this.retryAfterMs(nowMs, cost),
    };
  }

  private resetMs(nowMs: number, extra: number): number {
    if (this.current + extra > 0) return this.windowStartMs + 2 * this.windowMs - nowMs;
    if (this.previous > 0) return this.windowStartMs + this.windowMs - nowMs;
    return 0;
  }

  private retryAfterMs(nowMs: number, cost: number): number {
    if (cost > this.limit + EPSILON) return Number.POSITIVE_INFINITY;
    const room = this.limit - this.current - cost;
    if (room >= -EPSILON && this.previous > 0) {
      const fraction = 1 - room / this.previous;
      return Math.max(0, this.windowStartMs + fraction * this.windowMs - nowMs);
    }
    // Next window: `current` becomes the weighted previous count.
    const nextFraction = this.current > 0 ? Math.max(0, 1 - (this.limit - cost) / this.current) : 0;
    return this.windowStartMs + this.windowMs + nextFraction * this.windowMs - nowMs;
  }

  commit(nowMs: number, cost: number): void {
    this.roll(nowMs);
    this.current += cost;
  }

  release(): void {
    // Rate limiters give nothing back when a request ends.
  }
}
