/**
 * Token bucket: holds up to `capacity` units, refills continuously at
 * `ratePerSecond`, and a request is admitted when the bucket holds at least its
 * cost. Starts full. The model of OpenAI's limits and of most API gateways: a
 * burst of `capacity`, then `ratePerSecond` in the long run.
 *
 * Penalty mode: a refused request takes what is left (the bucket never goes
 * below empty), so a client that keeps knocking faster than the refill rate keeps
 * the bucket below one unit and is admitted less and less.
 */
import { EPSILON, wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a token bucket. */
export interface TokenBucketOptions {
  capacity: number;
  ratePerSecond: number;
  penalty?: boolean;
}

/** Token-bucket limiter. */
export class TokenBucketLimiter implements Limiter {
  readonly kind = 'token-bucket';
  readonly limit: number;
  readonly ratePerSecond: number;
  readonly penalty: boolean;
  private tokens: number;
  private updatedMs: number | undefined;

  constructor(options: TokenBucketOptions) {
    this.limit = options.capacity;
    this.ratePerSecond = options.ratePerSecond;
    this.penalty = options.penalty ?? false;
    this.tokens = options.capacity;
  }

  /** The (fractional) units in the bucket at `nowMs`. */
  level(nowMs: number): number {
    if (this.updatedMs !== undefined && nowMs > this.updatedMs) {
      this.tokens = Math.min(this.limit, this.tokens + ((nowMs - this.updatedMs) * this.ratePerSecond) / 1000);
    }
    if (this.updatedMs === undefined || nowMs > this.updatedMs) this.updatedMs = nowMs;
    return this.tokens;
  }

  check(nowMs: number, cost: number): LimiterDecision {
    const tokens = this.level(nowMs);
    const admitted = tokens + EPSILON >= cost;
    const after = admitted ? tokens - cost : tokens;
    let retryAfterMs = 0;
    if (!admitted) {
      retryAfterMs = cost > this.limit + EPSILON ? Number.POSITIVE_INFINITY : ((cost - tokens) * 1000) / this.ratePerSecond;
    }
    return {
      admitted,
      remaining: wholeUnits(after),
      limit: this.limit,
      resetMs: Math.max(0, ((this.limit - after) * 1000) / this.ratePerSecond),
      retryAfterMs,
    };
  }

  commit(nowMs: number, cost: number): void {
    this.tokens = Math.max(0, this.level(nowMs) - cost);
  }

  release(): void {
    // Rate limiters give nothing back when a request ends.
  }
}
