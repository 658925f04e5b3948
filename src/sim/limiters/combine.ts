/**
 * Admission through several limiters at once (e.g. Azure's 10-s requests, 1-s
 * requests and 60-s tokens): a request is admitted only when every limiter
 * admits it, and only then is any of them charged. Otherwise a refusal by the
 * 1-s cap would still spend tokens, which Azure does not do.
 */
import type { Limiter, LimiterDecision } from './limiter.js';

/** The outcome of one request across several limiters. */
export interface CombinedDecision {
  admitted: boolean;
  /**
   * One decision per limiter, in the order given. When the request is refused,
   * every entry shows the limiter's current state (nothing was charged, or only
   * the penalty was).
   */
  decisions: LimiterDecision[];
  /** Indexes of the limiters that refused. */
  refusedBy: number[];
  /** The longest wait among the refusing limiters: after it, all of them admit. 0 when admitted. */
  retryAfterMs: number;
}

/**
 * Checks `costs[i]` against `limiters[i]` for every i at `nowMs`; charges all of
 * them when all admit. With `penalty`, a refused request is charged to every
 * limiter (as a refusal), and the retry wait is computed after that charge.
 */
export function admitAll(limiters: readonly Limiter[], costs: readonly number[], nowMs: number, penalty = false): CombinedDecision {
  let checks = limiters.map((limiter, index) => limiter.check(nowMs, costs[index] ?? 0));
  if (checks.every((decision) => decision.admitted)) {
    limiters.forEach((limiter, index) => limiter.commit(nowMs, costs[index] ?? 0, true));
    return { admitted: true, decisions: checks, refusedBy: [], retryAfterMs: 0 };
  }
  if (penalty) {
    limiters.forEach((limiter, index) => limiter.commit(nowMs, costs[index] ?? 0, false));
    checks = limiters.map((limiter, index) => limiter.check(nowMs, costs[index] ?? 0));
  }
  const refusedBy: number[] = [];
  let retryAfterMs = 0;
  const decisions = checks.map((decision, index) => {
    if (decision.admitted) return { ...limiters[index]!.check(nowMs, 0), admitted: true };
    refusedBy.push(index);
    retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
    return decision;
  });
  return { admitted: false, decisions, refusedBy, retryAfterMs };
}
