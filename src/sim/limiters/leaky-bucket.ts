/**
 * Utilization as a leaky bucket: Azure's provisioned-throughput (PTU) model.
 * Each request pours its estimated cost in;
 * the bucket drains at a constant `drainPerSecond`; utilization is level ÷
 * capacity. A request is admitted when utilization is *below* 100 % before its
 * cost is added, so one admitted request may push it above 100 % ("short bursts
 * just over 100 % may be allowed"). A refusal says how long until utilization
 * drops below 100 % again. When a request ends, its charge can be corrected to
 * the real cost (`adjust`).
 */
import { wholeUnits, type Limiter, type LimiterDecision } from './limiter.js';

/** Settings of a utilization bucket. */
export interface LeakyBucketOptions {
  capacity: number;
  drainPerSecond: number;
}

/** Leaky-bucket utilization limiter. */
export class LeakyBucketLimiter implements Limiter {
  readonly kind = 'leaky-bucket';
  readonly limit: number;
  readonly drainPerSecond: number;
  readonly penalty = false;
  private content = 0;
  private updatedMs: number | undefined;

  constructor(options: LeakyBucketOptions) {
    this.limit = options.capacity;
    this.drainPerSecond = options.drainPerSecond;
  }

  /** The units in the bucket at `nowMs`. */
  level(nowMs: number): number {
    if (this.updatedMs !== undefined && nowMs > this.updatedMs) {
      this.content = Math.max(0, this.content - ((nowMs - this.updatedMs) * this.drainPerSecond) / 1000);
    }
    if (this.updatedMs === undefined || nowMs > this.updatedMs) this.updatedMs = nowMs;
    return this.content;
  }

  /** Utilization at `nowMs` as a fraction (1 = 100 %). */
  utilization(nowMs: number): number {
    return this.level(nowMs) / this.limit;
  }

  check(nowMs: number, cost: number): LimiterDecision {
    const level = this.level(nowMs);
    const admitted = level < this.limit;
    const after = admitted ? level + cost : level;
    // Strictly below 100 %: one millisecond past the instant the level meets the capacity.
    const retryAfterMs = admitted ? 0 : Math.floor(((level - this.limit) * 1000) / this.drainPerSecond) + 1;
    return {
      admitted,
      remaining: wholeUnits(this.limit - after),
      limit: this.limit,
      resetMs: (after * 1000) / this.drainPerSecond,
      retryAfterMs,
    };
  }

  commit(nowMs: number, cost: number, admitted: boolean): void {
    if (admitted) this.content = this.level(nowMs) + cost;
  }

  /** Corrects an earlier charge by `delta` units (negative when the request cost less than estimated). */
  adjust(nowMs: number, delta: number): void {
    this.content = Math.max(0, this.level(nowMs) + delta);
  }

  release(): void {
    // Corrections go through adjust(); nothing is held per request.
  }
}
