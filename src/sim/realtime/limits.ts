/**
 * Every realtime limit of the simulator in one place, driven by an external clock:
 * new connections per window (a sliding log), sessions open at once (a counter),
 * responses per window and tokens per minute (continuously refilling buckets, the
 * output reserved when a response starts and the unused part refunded when it
 * ends).
 *
 * Pure: no socket, no timer. The WebSocket layer asks it at each upgrade and each
 * `response.create`, so tests get exact admit/refuse sequences on a fake clock.
 */
import { ConcurrencyLimiter } from '../limiters/concurrency.js';
import { SlidingLogLimiter } from '../limiters/sliding-log.js';
import { RefillBucket, type RateLimitFigures } from './refill-bucket.js';
import type { RealtimeLimitName, RealtimeSettings, RefusalStyle } from './settings.js';

/** What the limits say about a new session or a response. */
export type RealtimeDecision =
  | { admitted: true }
  | {
      admitted: false;
      /** Which limit refused. */
      limit: RealtimeLimitName;
      style: RefusalStyle;
      /** Milliseconds until the same request would be admitted (a guess for the session cap). */
      retryAfterMs: number;
    };

/** How long a client should wait after a session-cap refusal: no clock frees a slot, so a fixed hint. */
const SESSION_CAP_RETRY_MS = 1000;

/** The realtime limits of one simulator. */
export class RealtimeLimits {
  private readonly opens: SlidingLogLimiter | undefined;
  private readonly sessions: ConcurrencyLimiter | undefined;
  private readonly turns: RefillBucket | undefined;
  private readonly tokens: RefillBucket | undefined;

  constructor(readonly settings: RealtimeSettings) {
    if (settings.openRate) this.opens = new SlidingLogLimiter({ limit: settings.openRate.limit, windowMs: settings.openRate.windowMs });
    if (settings.sessionCap !== undefined) this.sessions = new ConcurrencyLimiter({ limit: settings.sessionCap });
    if (settings.turnRate) this.turns = new RefillBucket(settings.turnRate.limit, settings.turnRate.windowMs);
    if (settings.tokensPerMinute !== undefined) this.tokens = new RefillBucket(settings.tokensPerMinute, 60_000);
  }

  /** Sessions admitted and not yet closed. */
  get openSessions(): number {
    return this.sessions?.active ?? this.uncappedOpen;
  }

  private uncappedOpen = 0;

  /**
   * A new connection at `nowMs`: the open rate first, then the session cap; an
   * admitted session takes a slot and counts against the open rate, a refused one
   * neither.
   */
  openSession(nowMs: number): RealtimeDecision {
    if (this.opens) {
      const decision = this.opens.check(nowMs, 1);
      if (!decision.admitted) return { admitted: false, limit: 'open', style: this.settings.refusal.open, retryAfterMs: decision.retryAfterMs };
    }
    if (this.sessions && !this.sessions.check(nowMs, 1).admitted) {
      return { admitted: false, limit: 'sessions', style: this.settings.refusal.sessions, retryAfterMs: SESSION_CAP_RETRY_MS };
    }
    this.opens?.commit(nowMs, 1);
    if (this.sessions) this.sessions.commit(nowMs, 1, true);
    else this.uncappedOpen++;
    return { admitted: true };
  }

  /** An admitted session ended: its slot is free again. */
  closeSession(nowMs: number): void {
    if (this.sessions) this.sessions.release(nowMs, 1);
    else this.uncappedOpen = Math.max(0, this.uncappedOpen - 1);
  }

  /**
   * A `response.create` at `nowMs` that reserves `reservedTokens` (input estimate +
   * max output): one request from the response bucket and the reservation from
   * the token bucket, both or neither.
   */
  startResponse(nowMs: number, reservedTokens: number): RealtimeDecision {
    if (this.turns && this.turns.level(nowMs) + 1e-9 < 1) {
      return { admitted: false, limit: 'turns', style: this.settings.refusal.turns, retryAfterMs: this.turns.waitMs(nowMs, 1) };
    }
    if (this.tokens && this.tokens.level(nowMs) + 1e-9 < reservedTokens) {
      return { admitted: false, limit: 'tokens', style: this.settings.refusal.tokens, retryAfterMs: this.tokens.waitMs(nowMs, reservedTokens) };
    }
    this.turns?.take(nowMs, 1);
    this.tokens?.take(nowMs, reservedTokens);
    return { admitted: true };
  }

  /** A response ended having used `usedTokens` of its `reservedTokens`: the rest goes back. */
  finishResponse(nowMs: number, reservedTokens: number, usedTokens: number): void {
    this.tokens?.refund(nowMs, reservedTokens - usedTokens);
  }

  /** The `rate_limits` array of a `rate_limits.updated` event: requests and tokens, those that are limited. */
  rateLimits(nowMs: number): RateLimitFigures[] {
    const figures: RateLimitFigures[] = [];
    if (this.turns) figures.push(this.turns.figures(nowMs, 'requests'));
    if (this.tokens) figures.push(this.tokens.figures(nowMs, 'tokens'));
    return figures;
  }
}
