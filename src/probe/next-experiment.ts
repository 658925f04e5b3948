/**
 * The probe's choice between experiments, as a pure policy: given the fit of everything
 * recorded so far and what the budget still allows, which experiment settles what is
 * still open (docs/probe.md, step 5), or null when none is worth its cost.
 *
 *   - the shape is open between window kinds → a spread cycle (consume the capacity
 *     spread over half a window, then watch how it returns);
 *   - the shape, window or burst is open → a cycle (exhaust, watch where the hypotheses
 *     disagree, count what came back);
 *   - the rate is open, refusals may count, or the best is a bucket → a rate stream;
 *   - finally a confirmation stream just under the rate.
 *
 * No clock, no session: the caller measures the budget and the costs, so the choice can
 * be tested as a table (test/probe/next-experiment.test.ts).
 */
import { relativeSpread, type DimensionAnalysis } from '../analysis/inference/index.js';

/** The experiments the rounds choose from. */
export type NextExperiment = 'spread-cycle' | 'cycle' | 'rate-stream' | 'confirm';

/** What the budget still allows, what each experiment would cost, and what already ran. */
export interface ExperimentBudget {
  secondsLeft: number;
  requestsLeft: number;
  done: { spread: boolean; rate: boolean; confirm: boolean; cycles: number };
  /** Seconds one recovery takes, as observed. */
  recoverySeconds: number;
  /** Size of a counting burst now. */
  countSize: number;
  /** Requests of a rate stream and the counting burst after it. */
  rateCost: number;
  /** Requests of the confirmation stream. */
  confirmCost: number;
}

/** The parts of an analysis the choice reads. */
export type AnalysisForChoice = Pick<DimensionAnalysis, 'figures' | 'spread' | 'plausible' | 'best' | 'shape'>;

/** Which figures the plausible hypotheses still disagree on. */
export interface OpenQuestions {
  shape: boolean;
  window: boolean;
  rate: boolean;
  burst: boolean;
  penalty: boolean;
}

/** Most cycles a probe runs. */
const MAX_CYCLES = 3;

/** What the plausible hypotheses disagree on (nothing, before anything could be fitted). */
export function openQuestions(analysis: AnalysisForChoice): OpenQuestions {
  const { figures, spread, plausible, best } = analysis;
  if (figures === null || spread === null || best === null) return { shape: false, window: false, rate: false, burst: false, penalty: false };
  const sameShape = plausible.filter((hypothesis) => hypothesis.variant.shape === best.variant.shape);
  return {
    shape: analysis.shape === 'unknown',
    window: relativeSpread(spread.windowSeconds, figures.windowSeconds) > 0.08,
    rate: relativeSpread(spread.perSecond, figures.perSecond) > 0.05,
    burst: spread.burst.max - spread.burst.min > Math.max(1, 0.05 * figures.burst),
    penalty: sameShape.some((hypothesis) => hypothesis.variant.penalty) && sameShape.some((hypothesis) => !hypothesis.variant.penalty),
  };
}

/** The next experiment of the rounds, or null: nothing open is affordable (or nothing was fitted). */
export function chooseNextExperiment(analysis: AnalysisForChoice, budget: ExperimentBudget): NextExperiment | null {
  const { secondsLeft, requestsLeft, done, recoverySeconds, countSize, rateCost, confirmCost } = budget;
  if (secondsLeft < 1 || requestsLeft < 3) return null;
  if (analysis.best === null || analysis.figures === null) return null;
  const open = openQuestions(analysis);
  const bucketLike = analysis.best.variant.shape === 'token-bucket' || analysis.shape === 'unknown';
  const reserve = (done.rate || !bucketLike ? 0 : rateCost) + (done.confirm ? 0 : confirmCost / 2);

  // A cycle costs a counting burst (the exhausting one is skipped when the limiter is still
  // exhausted, the counting one stops at its first half when little came back) and a few pings.
  const cycleAffordable = done.cycles < MAX_CYCLES && secondsLeft > 1.4 * recoverySeconds + 2 && requestsLeft > countSize + 20 + reserve;
  // Telling window kinds apart matters more than the overdrive stream (a window's rate is its limit over its length).
  const spreadReserve = done.confirm ? 0 : confirmCost;
  if (open.shape && windowShapesPlausible(analysis) && !done.spread && secondsLeft > 2.6 * recoverySeconds + 2 && requestsLeft > 2 * countSize + 25 + spreadReserve) {
    return 'spread-cycle';
  }
  if ((open.shape || open.window || open.burst) && cycleAffordable) return 'cycle';
  // A stream measures a bucket's rate, shows whether refusals count, and tells apart
  // hypotheses whose long-run rates differ (after the shape experiments above).
  if ((open.rate || open.penalty || analysis.best.variant.shape === 'token-bucket') && !done.rate && requestsLeft > rateCost + 10) return 'rate-stream';
  if (!done.confirm && requestsLeft > 5) return 'confirm';
  return null;
}

/** Whether a window kind (fixed or sliding) is among the plausible shapes. */
function windowShapesPlausible(analysis: AnalysisForChoice): boolean {
  const shapes = new Set(analysis.plausible.map((hypothesis) => hypothesis.variant.shape));
  return shapes.has('fixed-window') || shapes.has('sliding-window');
}
