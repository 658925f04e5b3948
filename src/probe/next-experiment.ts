/**
 * The probe's choice between experiments, as a pure policy: given the fit of everything
 * recorded so far and what the budget still allows, which experiment settles what is
 * still open (docs/probe.md, step 5), or why the rounds end: the figures agree, or the
 * budget cannot pay for what is still open.
 *
 *   - the shape is open between window kinds → a spread cycle (consume the capacity
 *     spread over half a window, then watch how it returns);
 *   - the shape, window or burst is open → a cycle (exhaust, watch where the hypotheses
 *     disagree, count what came back);
 *   - the rate is open, refusals may count, or the best is a bucket → a rate stream;
 *   - a confirmation stream just under the rate;
 *   - anything still open: more cycles, as long as the budget pays for them.
 *
 * No clock, no session: the caller measures the budget and the costs, so the choice can
 * be tested as a table (test/probe/next-experiment.test.ts).
 */
import { relativeSpread, type DimensionAnalysis } from '../analysis/inference/index.js';

/** The experiments the rounds choose from. */
export type NextExperiment = 'spread-cycle' | 'cycle' | 'rate-stream' | 'confirm';

/**
 * Why the rounds stop: the plausible explanations agree on every figure and the rate was
 * confirmed from below (`agreed`), or what is left of the budget cannot pay for the
 * experiment that would settle what is still open (`budget`), or nothing could be fitted.
 */
export type RoundsStop = 'agreed' | 'budget' | 'nothing-fitted';

/** The policy's answer: the next experiment, or why there is none. */
export type NextChoice = { next: NextExperiment } | { stop: RoundsStop };

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

/** Whether the plausible hypotheses still disagree on anything. */
export function anythingOpen(open: OpenQuestions): boolean {
  return open.shape || open.window || open.rate || open.burst || open.penalty;
}

/**
 * The next experiment of the rounds, or why the rounds end. There is no fixed list:
 * while a question is open and the budget pays for an experiment that bears on it, the
 * rounds go on (a cycle bears on every figure); they end when nothing is open and the
 * rate was confirmed from below, or when the budget left cannot pay for what is open.
 */
export function chooseNextExperiment(analysis: AnalysisForChoice, budget: ExperimentBudget): NextChoice {
  const { secondsLeft, requestsLeft, done, recoverySeconds, countSize, rateCost, confirmCost } = budget;
  if (analysis.best === null || analysis.figures === null) return { stop: 'nothing-fitted' };
  const open = openQuestions(analysis);
  const settled = !anythingOpen(open);
  const stop: NextChoice = { stop: settled && done.confirm ? 'agreed' : 'budget' };
  if (secondsLeft < 1 || requestsLeft < 3) return stop;
  const bucketLike = analysis.best.variant.shape === 'token-bucket' || analysis.shape === 'unknown';
  const reserve = (done.rate || !bucketLike ? 0 : rateCost) + (done.confirm ? 0 : confirmCost / 2);

  // A cycle costs a counting burst (the exhausting one is skipped when the limiter is still
  // exhausted, the counting one stops at its first half when little came back) and a few pings.
  const cycleAffordable = secondsLeft > 1.4 * recoverySeconds + 2 && requestsLeft > countSize + 20 + reserve;
  // Telling window kinds apart matters more than the overdrive stream (a window's rate is its limit over its length).
  const spreadReserve = done.confirm ? 0 : confirmCost;
  if (open.shape && windowShapesPlausible(analysis) && !done.spread && secondsLeft > 2.6 * recoverySeconds + 2 && requestsLeft > 2 * countSize + 25 + spreadReserve) {
    return { next: 'spread-cycle' };
  }
  if ((open.shape || open.window || open.burst) && cycleAffordable) return { next: 'cycle' };
  // A stream measures a bucket's rate, shows whether refusals count, and tells apart
  // hypotheses whose long-run rates differ (after the shape experiments above).
  if ((open.rate || open.penalty || analysis.best.variant.shape === 'token-bucket') && !done.rate && requestsLeft > rateCost + 10) return { next: 'rate-stream' };
  if (!done.confirm && requestsLeft > 5) return { next: 'confirm' };
  // Still open after the stream and the confirmation: cycles while the budget pays for them.
  if (!settled && secondsLeft > 1.4 * recoverySeconds + 2 && requestsLeft > countSize + 20) return { next: 'cycle' };
  return stop;
}

/** Whether a window kind (fixed or sliding) is among the plausible shapes. */
function windowShapesPlausible(analysis: AnalysisForChoice): boolean {
  const shapes = new Set(analysis.plausible.map((hypothesis) => hypothesis.variant.shape));
  return shapes.has('fixed-window') || shapes.has('sliding-window');
}
