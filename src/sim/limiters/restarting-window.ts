/**
 * A window that every refusal restarts: at most `limit` units in a window that
 * opens with the first request after the limiter was quiet; once exceeded, the
 * client is blocked, and every request it sends while blocked (refused, of course)
 * starts the block over. Only `blockMs` of silence lets it in again. The shape of
 * Apache's mod_evasive, fail2ban-style ban lists fed by refusals, and gateways that
 * "ban until quiet".
 *
 * Why it matters to a prober: pinging such a limiter to see when it recovers keeps
 * it closed, so the recovery can only be measured by waiting in silence.
 */
import { EPSILON, wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a restarting window. */
export interface RestartingWindowOptions {
  limit: number;
  windowMs: number;
  /** Silence needed to be let in again after a refusal; default: one window. */
  blockMs?: number;
}

/** Restarting-window (ban-until-quiet) limiter. */
export class RestartingWindowLimiter implements Limiter {
  readonly kind = 'restarting-window';
  readonly limit: number;
  readonly windowMs: number;
  readonly blockMs: number;
  /** Every refusal is charged: it restarts the block. */
  readonly penalty = true;
  private windowEndMs = Number.NEGATIVE_INFINITY;
  private count = 0;
  private blockedUntilMs = Number.NEGATIVE_INFINITY;

  constructor(options: RestartingWindowOptions) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.blockMs = options.blockMs ?? options.windowMs;
  }

  private blocked(nowMs: number): boolean {
    return nowMs < this.blockedUntilMs;
  }

  /** The count of the window open at `nowMs` (0 when none is). */
  private used(nowMs: number): number {
    return nowMs < this.windowEndMs ? this.count : 0;
  }

  check(nowMs: number, cost: number): LimiterDecision {
    if (this.blocked(nowMs)) {
      const waitMs = this.blockedUntilMs - nowMs;
      return { admitted: false, remaining: 0, limit: this.limit, resetMs: waitMs, retryAfterMs: waitMs };
    }
    const used = this.used(nowMs);
    const admitted = used + cost <= this.limit + EPSILON;
    const untilEnd = nowMs < this.windowEndMs ? this.windowEndMs - nowMs : 0;
    return {
      admitted,
      remaining: wholeUnits(this.limit - used - (admitted ? cost : 0)),
      limit: this.limit,
      resetMs: admitted ? (nowMs < this.windowEndMs ? untilEnd : this.windowMs) : this.blockMs,
      // A refusal starts the block, so the honest wait is the whole block from now.
      retryAfterMs: admitted ? 0 : cost > this.limit + EPSILON ? Number.POSITIVE_INFINITY : this.blockMs,
    };
  }

  commit(nowMs: number, cost: number, admitted: boolean): void {
    if (!admitted) {
      this.blockedUntilMs = nowMs + this.blockMs;
      this.windowEndMs = Number.NEGATIVE_INFINITY;
      this.count = 0;
      return;
    }
    if (nowMs >= this.windowEndMs) {
      this.windowEndMs = nowMs + this.windowMs;
      this.count = 0;
    }
    this.count += cost;
  }

  release(): void {
    // Rate limiters give nothing back when a request ends.
  }
}
