/**
 * The gateway's own token limit (APIM `llm-token-limit`): tokens per minute per
 * counter key (a subscription key or a client address), and optionally a quota
 * per fixed period. Over the per-minute limit → 429 with `Retry-After`; over the
 * quota → 403. It emits only the headers it is told to name, as APIM does (its
 * remaining/consumed header names have no default).
 *
 * The per-minute counter is a 60-s sliding log and the quota a fixed window,
 * both the simulator's own clock-injected limiters. Keys are held in memory only
 * and never logged.
 */
import { FixedWindowLimiter } from '../limiters/fixed-window.js';
import { wholeUnits, type Limiter } from '../limiters/limiter.js';
import { SlidingLogLimiter } from '../limiters/sliding-log.js';
import { gatewayQuotaBody, gatewayRateLimitBody } from './bodies.js';
import type { TokenLimitSpec } from './spec.js';

/** What the token limit says about one request. */
export type TokenLimitDecision =
  | { admitted: true; headers: Record<string, string> }
  | { admitted: false; status: 429 | 403; headers: Record<string, string>; body: string };

interface Counters {
  perMinute: Limiter | undefined;
  quota: Limiter | undefined;
}

/** Per-key token counters of one gateway. */
export class GatewayTokenLimit {
  private readonly counters = new Map<string, Counters>();

  constructor(private readonly spec: TokenLimitSpec) {}

  /** Checks and charges `tokens` for `key` at `nowMs`; nothing is charged when refused. */
  admit(nowMs: number, key: string, tokens: number): TokenLimitDecision {
    const counters = this.countersFor(key);
    const headers: Record<string, string> = {};
    if (counters.quota !== undefined) {
      const quota = counters.quota.check(nowMs, tokens);
      if (!quota.admitted) {
        const seconds = Math.max(1, Math.ceil(quota.resetMs / 1000));
        if (this.spec.remainingQuotaHeader !== undefined) headers[this.spec.remainingQuotaHeader] = String(quota.remaining);
        return { admitted: false, status: 403, headers, body: gatewayQuotaBody(seconds) };
      }
    }
    if (counters.perMinute !== undefined) {
      const minute = counters.perMinute.check(nowMs, tokens);
      if (!minute.admitted) {
        const seconds = Number.isFinite(minute.retryAfterMs) ? Math.max(1, Math.ceil(minute.retryAfterMs / 1000)) : 60;
        headers[this.spec.retryAfterHeader] = String(seconds);
        if (this.spec.remainingHeader !== undefined) headers[this.spec.remainingHeader] = String(minute.remaining);
        return { admitted: false, status: 429, headers, body: gatewayRateLimitBody(seconds) };
      }
      counters.perMinute.commit(nowMs, tokens, true);
      if (this.spec.remainingHeader !== undefined) headers[this.spec.remainingHeader] = String(minute.remaining);
    }
    if (counters.quota !== undefined) {
      const quota = counters.quota.check(nowMs, tokens);
      counters.quota.commit(nowMs, tokens, true);
      if (this.spec.remainingQuotaHeader !== undefined) headers[this.spec.remainingQuotaHeader] = String(wholeUnits(quota.remaining));
    }
    if (this.spec.consumedHeader !== undefined) headers[this.spec.consumedHeader] = String(tokens);
    return { admitted: true, headers };
  }

  private countersFor(key: string): Counters {
    let counters = this.counters.get(key);
    if (counters === undefined) {
      counters = {
        perMinute: this.spec.tokensPerMinute > 0 ? new SlidingLogLimiter({ limit: this.spec.tokensPerMinute, windowMs: 60_000 }) : undefined,
        quota: this.spec.quota === undefined ? undefined : new FixedWindowLimiter({ limit: this.spec.quota.tokens, windowMs: this.spec.quota.periodMs }),
      };
      this.counters.set(key, counters);
    }
    return counters;
  }
}
