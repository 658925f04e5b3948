/**
 * Several limits in AND on one route (two nginx `limit_req` zones, a 1-s and a 10-s
 * cap like Azure's): a request is admitted only when every limit admits it, and only
 * then is any of them charged. A refusal charges only the limits that count refusals
 * (their own penalty mode).
 *
 * As one Limiter, so a generic spec can name it (`A+B` in spec.ts) and the policy
 * treats it like any other: remaining is the smallest of the parts, the limit the
 * smallest, reset and retry the longest.
 */
import type { Limiter, LimiterDecision } from './limiter.js';

/** Limits that must all admit a request. */
export class AllOfLimiter implements Limiter {
  readonly kind = 'all-of';
  readonly limit: number;
  readonly penalty: boolean;

  constructor(readonly parts: readonly Limiter[]) {
    if (parts.length === 0) throw new Error('AllOfLimiter needs at least one limiter');
    this.limit = Math.min(...parts.map((part) => part.limit));
    this.penalty = parts.some((part) => part.penalty);
  }

  check(nowMs: number, cost: number): LimiterDecision {
    const decisions = this.parts.map((part) => part.check(nowMs, cost));
    const admitted = decisions.every((decision) => decision.admitted);
    // Refused: nothing is charged, so an admitting part's state is its state before the request.
    const states = admitted ? decisions : this.parts.map((part, index) => (decisions[index]!.admitted ? { ...part.check(nowMs, 0), admitted: true } : decisions[index]!));
    let retryAfterMs = 0;
    for (const decision of states) if (!decision.admitted) retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
    return {
      admitted,
      remaining: Math.min(...states.map((decision) => decision.remaining)),
      limit: this.limit,
      resetMs: Math.max(...states.map((decision) => decision.resetMs)),
      retryAfterMs,
    };
  }

  commit(nowMs: number, cost: number, admitted: boolean): void {
    for (const part of this.parts) {
      if (admitted || part.penalty) part.commit(nowMs, cost, admitted);
    }
  }

  release(nowMs: number, cost: number): void {
    for (const part of this.parts) part.release(nowMs, cost);
  }
}
