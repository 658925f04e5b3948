/**
 * Fixed window: at most `limit` units per window, windows aligned on multiples of
 * `windowMs` from the clock's zero, the count starting again at each boundary.
 * The classic nginx/Express-style counter, and the shape that lets 2 × limit
 * through around a boundary.
 */
import { EPSILON, wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a fixed-window counter. */
export interface FixedWindowOptions {
  limit: number;
  windowMs: number;
  /** Refused requests are counted too (changes nothing before the next boundary for this model). */
  penalty?: boolean;
}

/** Fixed-window counter limiter. */
export class FixedWindowLimiter implements Limiter {
  readonly kind = 'fixed-window';
  readonly limit: number;
  readonly windowMs: number;
  readonly penalty: boolean;
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private count = 0;

  constructor(options: FixedWindowOptions) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.penalty = options.penalty ?? false;
  }

  private roll(nowMs: number): void {
    const start = Math.floor(nowMs / this.windowMs) * this.windowMs;
    if (start !== this.windowStartMs) {
      this.windowStartMs = start;
      this.count = 0;
    }
  }

  check(nowMs: number, cost: number): LimiterDecision {
    this.roll(nowMs);
    const untilBoundary = this.windowStartMs + this.windowMs - nowMs;
    const admitted = this.count + cost <= this.limit + EPSILON;
    return {
      admitted,
      remaining: wholeUnits(this.limit - this.count - (admitted ? cost : 0)),
      limit: this.limit,
      resetMs: untilBoundary,
      retryAfterMs: admitted ? 0 : cost > this.limit + EPSILON ? Number.POSITIVE_INFINITY : untilBoundary,
    };
  }

  commit(nowMs: number, cost: number): void {
    this.roll(nowMs);
    this.count += cost;
  }

  release(): void {
    // Rate limiters give nothing back when a request ends.
  }
}
