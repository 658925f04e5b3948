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
  // Plain loops, no callbacks: this runs for every request the simulator serves.
  const count = limiters.length;
  let checks = new Array<LimiterDecision>(count);
  let allAdmitted = true;
  for (let index = 0; index < count; index++) {
    const decision = limiters[index]!.check(nowMs, costs[index] ?? 0);
    checks[index] = decision;
    if (!decision.admitted) allAdmitted = false;
  }
  if (allAdmitted) {
    for (let index = 0; index < count; index++) limiters[index]!.commit(nowMs, costs[index] ?? 0, true);
    return { admitted: true, decisions: checks, refusedBy: [], retryAfterMs: 0 };
  }
  if (penalty) {
    for (let index = 0; index < count; index++) limiters[index]!.commit(nowMs, costs[index] ?? 0, false);
    checks = limiters.map((limiter, index) => limiter.check(nowMs, costs[index] ?? 0));
  }
  const refusedBy: number[] = [];
  let retryAfterMs = 0;
  const decisions = new Array<LimiterDecision>(count);
  for (let index = 0; index < count; index++) {
    const decision = checks[index]!;
    if (decision.admitted) {
      decisions[index] = { ...limiters[index]!.check(nowMs, 0), admitted: true };
      continue;
    }
    refusedBy.push(index);
    retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
    decisions[index] = decision;
  }
  return { admitted: false, decisions, refusedBy, retryAfterMs };
}
