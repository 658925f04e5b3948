/**
 * A bucket that refills continuously: `limit` units, back to full in `windowMs`
 * at a steady `limit / windowMs` per millisecond. OpenAI's `rate_limits.updated`
 * numbers fit exactly this (docs/realtime.md): `reset_seconds` is
 * (limit − remaining) × window / limit, so a bucket missing one request of 5000 in a
 * 60-s window resets in 0.012 s.
 *
 * Why not the HTTP token bucket of ../limiters: a realtime response *reserves* its
 * output tokens when it starts and gives back what it did not use when it ends,
 * so this bucket can refund, and it reports the figures of the event itself.
 * The time is always an argument, never read: tests drive it on a fake clock.
 */

/** One entry of a `rate_limits.updated` event. */
export interface RateLimitFigures {
  name: string;
  limit: number;
  remaining: number;
  reset_seconds: number;
}

/** A continuously refilling bucket with reservations and refunds. */
export class RefillBucket {
  private units: number;
  private updatedMs: number | undefined;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    this.units = limit;
  }

  /** Units in the bucket at `nowMs` (fractional). */
  level(nowMs: number): number {
    if (this.updatedMs !== undefined && nowMs > this.updatedMs) {
      this.units = Math.min(this.limit, this.units + ((nowMs - this.updatedMs) * this.limit) / this.windowMs);
    }
    if (this.updatedMs === undefined || nowMs > this.updatedMs) this.updatedMs = nowMs;
    return this.units;
  }

  /** Takes `cost` if the bucket holds that much; returns whether it did. */
  take(nowMs: number, cost: number): boolean {
    if (this.level(nowMs) + 1e-9 < cost) return false;
    this.units -= cost;
    return true;
  }

  /** Gives back units taken by a reservation that was not used (never above the limit). */
  refund(nowMs: number, units: number): void {
    this.units = Math.min(this.limit, this.level(nowMs) + Math.max(0, units));
  }

  /** Milliseconds until `cost` units are in the bucket; Infinity when cost exceeds the limit. */
  waitMs(nowMs: number, cost: number): number {
    if (cost > this.limit) return Number.POSITIVE_INFINITY;
    const missing = cost - this.level(nowMs);
    return missing <= 0 ? 0 : (missing * this.windowMs) / this.limit;
  }

  /** The bucket as a `rate_limits.updated` entry: whole units left, reset rounded to the millisecond. */
  figures(nowMs: number, name: string): RateLimitFigures {
    const level = this.level(nowMs);
    const remaining = Math.max(0, Math.floor(level + 1e-9));
    const resetSeconds = Math.round(((this.limit - level) * this.windowMs) / this.limit) / 1000;
    return { name, limit: this.limit, remaining, reset_seconds: Math.max(0, resetSeconds) };
  }
}
