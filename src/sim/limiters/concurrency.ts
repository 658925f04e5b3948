/**
 * Concurrency cap: at most `limit` requests in flight at once; a slot is given
 * back when the response ends. Time plays no part, so there is no "reset"; the
 * retry hint is a fixed guess (`retryAfterMs`), as real servers with such caps
 * give.
 */
import { type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a concurrency cap. */
export interface ConcurrencyOptions {
  limit: number;
  /** The retry hint sent with refusals; default 1000 ms. */
  retryAfterMs?: number;
}

/** Concurrency-cap limiter: call `release` when each admitted request ends. */
export class ConcurrencyLimiter implements Limiter {
  readonly kind = 'concurrency';
  readonly limit: number;
  readonly penalty = false;
  private readonly retryHintMs: number;
  private inFlight = 0;

  constructor(options: ConcurrencyOptions) {
    this.limit = options.limit;
    this.retryHintMs = options.retryAfterMs ?? 1000;
  }

  /** Requests admitted and not yet released. */
  get active(): number {
    return this.inFlight;
  }

  check(_nowMs: number, cost: number): LimiterDecision {
    const admitted = this.inFlight + cost <= this.limit;
    return {
      admitted,
      remaining: Math.max(0, this.limit - this.inFlight - (admitted ? cost : 0)),
      limit: this.limit,
      resetMs: 0,
      retryAfterMs: admitted ? 0 : cost > this.limit ? Number.POSITIVE_INFINITY : this.retryHintMs,
    };
  }

  commit(_nowMs: number, cost: number, admitted: boolean): void {
    if (admitted) this.inFlight += cost;
  }

  release(_nowMs: number, cost: number): void {
    this.inFlight = Math.max(0, this.inFlight - cost);
  }
}
