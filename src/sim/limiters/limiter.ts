/**
 * The shape every limiter model of the simulator shares.
 *
 * Why a separate check and commit: a profile such as azure-standard runs several
 * limiters at once (10-s requests, 1-s requests, 60-s tokens) and a request is
 * admitted only if all of them agree. So each limiter must be able to answer
 * "would you admit this?" without taking the charge, and take it afterwards.
 *
 * Every method takes the time as an argument (milliseconds on any monotonic
 * scale): the limiters hold no clock, so tests drive them on a fake clock and get
 * exact admit/refuse sequences.
 */

/** What a limiter says about one request. */
export interface LimiterDecision {
  admitted: boolean;
  /**
   * Units left: after this request's own charge when admitted, the current state
   * when refused. Never negative; whole units (rounded down).
   */
  remaining: number;
  /** The most units the limiter can hold (bucket capacity, window limit). */
  limit: number;
  /** Milliseconds until the limiter is back at its full limit if nothing else arrives. */
  resetMs: number;
  /**
   * When refused: milliseconds until a request of the same cost would be admitted,
   * `Infinity` when it never can (its cost exceeds the whole limit). 0 when admitted.
   */
  retryAfterMs: number;
}

/** A rate or concurrency limiter driven by an external clock. */
export interface Limiter {
  /** Short model name, e.g. "token-bucket". */
  readonly kind: string;
  /** The capacity or window limit, in units (requests or tokens). */
  readonly limit: number;
  /** Whether refused requests are charged too (the "penalty" mode). */
  readonly penalty: boolean;
  /** Says whether `cost` units would be admitted at `nowMs`, without charging them. */
  check(nowMs: number, cost: number): LimiterDecision;
  /**
   * Takes `cost` units at `nowMs`. `admitted` is false for a penalty charge on a
   * refused request, which may only empty the limiter, never overdraw it.
   */
  commit(nowMs: number, cost: number, admitted: boolean): void;
  /** Gives back units when a request ends (concurrency caps); a no-op for rate limiters. */
  release(nowMs: number, cost: number): void;
}

/** Tolerance for float arithmetic (rates like 3/s give non-terminating fractions of a millisecond). */
export const EPSILON = 1e-9;

/**
 * Checks and, if admitted, charges `cost` in one step: the usual way to use a
 * single limiter. In penalty mode a refused request is charged too, and the
 * decision returned is the one *after* that charge, so its `retryAfterMs` is a
 * wait that really works.
 */
export function tryAdmit(limiter: Limiter, nowMs: number, cost = 1): LimiterDecision {
  const decision = limiter.check(nowMs, cost);
  if (decision.admitted) {
    limiter.commit(nowMs, cost, true);
    return decision;
  }
  if (!limiter.penalty) return decision;
  limiter.commit(nowMs, cost, false);
  return limiter.check(nowMs, cost);
}

/** Rounds a unit count down for headers, forgiving float noise just below a whole number. */
export function wholeUnits(value: number): number {
  return Math.max(0, Math.floor(value + EPSILON));
}
