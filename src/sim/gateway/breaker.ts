/**
 * One backend's circuit breaker, as APIM's `circuitBreaker` rule: `count`
 * failures within `interval` trip it; a tripped backend is out of the pool for
 * `tripDuration`, or for the backend's own `Retry-After` when
 * `acceptRetryAfter` is set and the tripping answer carried one. AI-Gateway's
 * standard rule for Azure OpenAI is count 1, interval 1 min, 429 only, trip
 * 1 min, accept-retry-after: one 429 removes the backend for its Retry-After.
 *
 * Clock-injected: every method takes the time, so tests step a fake clock.
 */
import type { BreakerSpec } from './spec.js';

/** The breaker state of one backend. */
export class CircuitBreaker {
  private failures: number[] = [];
  private openUntilMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly spec: BreakerSpec) {}

  /** Whether the backend is out of the pool at `nowMs`. */
  isOpen(nowMs: number): boolean {
    return nowMs < this.openUntilMs;
  }

  /** When the breaker closes again (ms on the same clock); -Infinity when closed. */
  get closesAtMs(): number {
    return this.openUntilMs;
  }

  /**
   * Notes one backend answer. Returns true when this answer tripped the breaker.
   * `retryAfterMs` is the backend's own hint (undefined when it sent none).
   */
  record(nowMs: number, status: number, retryAfterMs: number | undefined): boolean {
    if (status < this.spec.statusMin || status > this.spec.statusMax) return false;
    this.failures = this.failures.filter((atMs) => atMs > nowMs - this.spec.intervalMs);
    this.failures.push(nowMs);
    if (this.failures.length < this.spec.count) return false;
    this.failures = [];
    const tripMs = this.spec.acceptRetryAfter && retryAfterMs !== undefined ? retryAfterMs : this.spec.tripMs;
    this.openUntilMs = nowMs + tripMs;
    return true;
  }
}
