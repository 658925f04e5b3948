/**
 * GCRA (generic cell rate algorithm), as in redis-cell and Stripe's limiter: a
 * token bucket written as one timestamp. The emission interval is
 * T = 1000 / ratePerSecond ms and the burst tolerance is burst × T. The state is
 * the theoretical arrival time (TAT) of the next request at the steady rate.
 *
 * A request of cost n at `now` would move the TAT to max(TAT, now) + n·T; it is
 * admitted when that new TAT is at most now + burst·T. Hence `burst` requests at
 * once from idle, then one every T.
 *
 * Penalty mode: a refused request moves the TAT too, but never past
 * now + burst·T (the same "never below empty" rule as the token bucket).
 */
import { EPSILON, wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a GCRA limiter. */
export interface GcraOptions {
  ratePerSecond: number;
  burst: number;
  penalty?: boolean;
}

/** GCRA limiter. */
export class GcraLimiter implements Limiter {
  readonly kind = 'gcra';
  readonly limit: number;
  readonly ratePerSecond: number;
  readonly penalty: boolean;
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private theoreticalArrivalMs = Number.NEGATIVE_INFINITY;

  constructor(options: GcraOptions) {
    this.limit = options.burst;
    this.ratePerSecond = options.ratePerSecond;
    this.penalty = options.penalty ?? false;
    this.intervalMs = 1000 / options.ratePerSecond;
    this.toleranceMs = options.burst * this.intervalMs;
  }

  check(nowMs: number, cost: number): LimiterDecision {
    const base = Math.max(this.theoreticalArrivalMs, nowMs);
    const next = base + cost * this.intervalMs;
    const allowedAt = next - this.toleranceMs;
    const admitted = nowMs + EPSILON * this.intervalMs >= allowedAt;
    const after = admitted ? next : base;
    let retryAfterMs = 0;
    if (!admitted) {
      retryAfterMs = cost * this.intervalMs > this.toleranceMs + EPSILON ? Number.POSITIVE_INFINITY : allowedAt - nowMs;
    }
    return {
      admitted,
      remaining: wholeUnits((nowMs + this.toleranceMs - after) / this.intervalMs),
      limit: this.limit,
      resetMs: after - nowMs,
      retryAfterMs,
    };
  }

  commit(nowMs: number, cost: number, admitted: boolean): void {
    const next = Math.max(this.theoreticalArrivalMs, nowMs) + cost * this.intervalMs;
    this.theoreticalArrivalMs = admitted ? next : Math.min(next, nowMs + this.toleranceMs);
  }

  release(): void {
    // Rate limiters give nothing back when a request ends.
  }
}
