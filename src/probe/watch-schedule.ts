/**
 * When to knock while waiting for a limiter to let us in again.
 *
 * The times combine three things:
 *   - a geometric series from the exhaustion (20 ms, ×1.3 each), which finds any
 *     recovery time within ±15 % without knowing anything, in a few dozen pings up
 *     to minutes;
 *   - one ping just after each time a plausible hypothesis predicts the first
 *     admission, so the answer says which hypotheses were right;
 *   - denser pings (×1.06) across the span of those predictions, so the recovery
 *     time is pinned to a few percent where it most likely is.
 * When a hypothesis that counts refused requests is plausible, the dense pings are
 * left out: each refused knock would push that limiter's recovery further away.
 */

/** Settings of one watch. */
export interface WatchPlan {
  /** When the limiter was exhausted (the reference for the geometric series), ms. */
  fromMs: number;
  /** Nothing is planned before this (now), ms. */
  notBeforeMs: number;
  /** Nothing is planned after this (the deadline), ms. */
  untilMs: number;
  /** Predicted first-admission times of the plausible hypotheses, ms. */
  predictedMs: readonly number[];
  /** A plausible hypothesis counts refused requests. */
  penaltyPlausible: boolean;
  /** A retry hint from the server (ms after fromMs), used as one more prediction. */
  retryAfterMs?: number | null;
  /** Most pings. */
  maxPings: number;
}

const FIRST_PING_MS = 20;
const GEOMETRIC_RATIO = 1.3;
const PENALTY_RATIO = 1.4;
/** Dense pings across the predicted span: at most this many, at least 6 % apart. */
const DENSE_PINGS = 12;
const DENSE_MIN_RATIO = 1.06;
/** Predictions closer than this (relative) share one ping. */
const SAME_PREDICTION = 0.03;

/** Keeps values at least `minGap(value)` apart (ascending input). */
function thin(values: readonly number[], minGap: (value: number) => number): number[] {
  const kept: number[] = [];
  for (const value of values) {
    const previous = kept[kept.length - 1];
    if (previous === undefined || value - previous >= minGap(value)) kept.push(value);
  }
  return kept;
}

/** The ping times of a watch, ascending. */
export function watchTimes(plan: WatchPlan): number[] {
  const horizon = plan.untilMs - plan.fromMs;
  const earliest = plan.notBeforeMs - plan.fromMs;
  const inWindow = (value: number): boolean => value >= earliest && value > 0 && value <= horizon;

  // Knocking without knowing: the geometric series always runs to the horizon.
  const geometric: number[] = [];
  for (let value = FIRST_PING_MS; value <= horizon; value *= plan.penaltyPlausible ? PENALTY_RATIO : GEOMETRIC_RATIO) geometric.push(value);

  const predictions = plan.predictedMs.map((at) => at - plan.fromMs);
  if (plan.retryAfterMs !== undefined && plan.retryAfterMs !== null && plan.retryAfterMs > 0) predictions.push(plan.retryAfterMs);
  const usable = thin(predictions.filter(inWindow).sort((a, b) => a - b), (value) => value * SAME_PREDICTION);
  const afterPredictions = usable.map((prediction) => prediction * 1.01 + 2);

  const dense: number[] = [];
  if (usable.length > 0 && !plan.penaltyPlausible) {
    const low = Math.max(usable[0]! * 0.92, FIRST_PING_MS);
    const high = usable[usable.length - 1]! * 1.1;
    const ratio = Math.max(DENSE_MIN_RATIO, Math.pow(high / low, 1 / DENSE_PINGS));
    for (let value = low; value <= high; value *= ratio) dense.push(value);
  }

  // Geometric and predicted pings first; dense ones only as the ping allowance permits.
  const essential = thin([...geometric, ...afterPredictions].filter(inWindow).sort((a, b) => a - b), (value) => Math.max(2, 0.01 * value));
  let chosen = essential.slice(0, plan.maxPings);
  const room = plan.maxPings - chosen.length;
  if (room > 0) {
    chosen = thin([...chosen, ...dense.filter(inWindow).slice(0, room)].sort((a, b) => a - b), (value) => Math.max(2, 0.01 * value));
  }
  return chosen.map((value) => plan.fromMs + value);
}
