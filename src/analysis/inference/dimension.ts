/**
 * The conclusion about one limit dimension (calls or tokens): which hypotheses
 * still explain the recording, what figures they imply, whether they agree on the
 * shape, and how much to trust the figures.
 *
 * Plausible means "explains the recording almost as well as the best": at most
 * 1 + ½·√m more wrong predictions (complexity included), where m is what the best
 * itself gets wrong. Real limiters on a busy machine put a request on the wrong
 * side of a boundary now and then, so the allowance grows with that noise — but
 * not with the number of requests: requests every hypothesis explains (a long
 * confirmation stream) are no reason to believe a worse one more.
 */
import type { Confidence, LimiterShape } from '../summary-types.js';
import { fitDimension, type FitReport, type Hypothesis } from './fit.js';
import { figuresOf, idleBurst, type LimitFigures } from './figures.js';
import type { Observation } from './observations.js';
import { samplesFor, type Dimension, type Sample } from './samples.js';
import { SLIDING_LOG_PAIR, variantById, type Variant } from './variants.js';
import { findSecondLimit, longRunRate } from './second-limit.js';
import { fitSlidingLogPair } from './pair-fit.js';

/** Range of one figure across the plausible hypotheses. */
export interface FigureSpread {
  min: number;
  max: number;
}

/** What the recording says about one dimension. */
export interface DimensionAnalysis {
  dimension: Dimension;
  samples: Sample[];
  report: FitReport;
  /** The best hypothesis, or null when nothing was refused (no limit seen). */
  best: Hypothesis | null;
  /** Hypotheses (best and range edges of each plausible variant) that explain the data about as well. */
  plausible: Hypothesis[];
  /** Figures of the best hypothesis. */
  figures: LimitFigures | null;
  /** The shape all plausible hypotheses agree on, `unknown` when they do not, `none-observed` without refusals. */
  shape: LimiterShape;
  confidence: Confidence;
  /** How far the figures of the plausible hypotheses spread. */
  spread: { burst: FigureSpread; perSecond: FigureSpread; windowSeconds: FigureSpread } | null;
  /** Typical (median) answer time of admitted requests, ms. */
  latencyMs: number;
  /**
   * A slower limit behind the best one (a 10-s window behind a 1-s cap), when the
   * recording shows one; its rate then caps `figures.perSecond`.
   */
  secondLimit: { hypothesis: Hypothesis; perSecond: number; windowSeconds: number | null; burst: number } | null;
  /**
   * Set when the best hypothesis's rate is far above anything the limiter was seen to
   * admit (see rateShown): the fastest admission seen, requests per second, which then
   * stands in for `figures.perSecond`. Null when the rate was shown, and for tokens.
   */
  rateNotShown?: { fastestAdmittedPerSecond: number; spanSeconds: number } | null;
}

/** Median of a list (0 for an empty one). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How many more wrong predictions than the best a hypothesis may make and still be plausible. */
export function plausibilityTolerance(bestMismatches: number): number {
  return 1 + 0.5 * Math.sqrt(Math.max(0, bestMismatches));
}

function spreadOf(values: readonly number[]): FigureSpread {
  return { min: Math.min(...values), max: Math.max(...values) };
}

/** Relative half-width of a spread around a value (0.05 = ±5 %). */
export function relativeSpread(spread: FigureSpread, value: number): number {
  if (value === 0) return 0;
  return Math.max(Math.abs(spread.max - value), Math.abs(value - spread.min)) / Math.abs(value);
}

function confidenceOf(analysis: Omit<DimensionAnalysis, 'confidence'>, refusals: number): Confidence {
  const { figures, spread, best, shape } = analysis;
  if (figures === null || spread === null || best === null) return 'none';
  if (shape === 'unknown' || (analysis.rateNotShown ?? null) !== null) return 'low';
  const scored = analysis.report.scored;
  const burstSlack = Math.max(1, 0.1 * figures.burst);
  const burstTight = spread.burst.max - spread.burst.min <= burstSlack;
  const rate = relativeSpread(spread.perSecond, figures.perSecond);
  const window = relativeSpread(spread.windowSeconds, figures.windowSeconds);
  const wrongShare = best.mismatches / Math.max(1, scored);
  if (burstTight && rate <= 0.07 && window <= 0.15 && wrongShare <= 0.02 && refusals >= 3) return 'high';
  if (rate <= 0.15 && window <= 0.3 && wrongShare <= 0.05) return 'medium';
  return 'low';
}

/**
 * A window exactly as long as the answers take, next to a plausible concurrency
 * cap, is that cap in disguise: when every answer takes the same time, "N in
 * flight" and "N per answer time" admit exactly the same requests. The cap is the
 * simpler explanation (it needs no timing parameter), so such windows do not make
 * the shape ambiguous. With answer times that vary, the two part ways and the fit
 * tells them apart on its own.
 */
function disguisedConcurrency(hypothesis: Hypothesis, plausibleFits: readonly { best: Hypothesis }[], latencyMs: number): boolean {
  const windowMs = hypothesis.params.windowMs;
  if (windowMs === null || latencyMs <= 0) return false;
  if (!plausibleFits.some((fit) => fit.best.variant.shape === 'concurrency')) return false;
  return Math.abs(windowMs / latencyMs - 1) <= 0.15;
}

/** How far above the fastest admission seen a fitted rate may be before it counts as not shown. */
const UNSHOWN_RATE = 1.5;

/**
 * The most requests admitted in any span of `spanMs`, per second (0 with no admission).
 *
 * Why the probe needs it: some explanations fit every request and still claim a rate no
 * experiment showed. Against a window that every refusal restarts, each experiment ends
 * in refusals and so shows the block, never the window: "8 per 30 ms, blocked 4 s after a
 * refusal" explains the recording as well as "8 per second", and claims 275 per second.
 * A rate is shown when, over some span of two of its windows (a second at least), about
 * that many requests were admitted.
 */
export function fastestAdmission(samples: readonly Sample[], spanMs: number): number {
  let most = 0;
  let start = 0;
  let admitted = 0;
  const times = samples.filter((sample) => sample.admitted).map((sample) => sample.atMs);
  for (let end = 0; end < times.length; end++) {
    admitted++;
    while (times[end]! - times[start]! >= spanMs) {
      start++;
      admitted--;
    }
    most = Math.max(most, admitted);
  }
  return most / (spanMs / 1000);
}

/**
 * Whether the rate of `figures` was shown (null) or is far above the fastest admission
 * seen over two of its windows. A concurrency cap's rate follows from its answer time,
 * not from a pace it was seen at, so it is exempt.
 */
function rateShown(figures: LimitFigures, samples: readonly Sample[]): DimensionAnalysis['rateNotShown'] {
  if (figures.shape === 'concurrency' || !(figures.perSecond > 0) || !(figures.burst > 0)) return null;
  const spanMs = Math.max(1000, (2000 * figures.burst) / figures.perSecond);
  const fastest = fastestAdmission(samples, spanMs);
  if (!(fastest > 0) || figures.perSecond <= UNSHOWN_RATE * fastest) return null;
  return { fastestAdmittedPerSecond: fastest, spanSeconds: spanMs / 1000 };
}

/** Options of an analysis. */
export interface AnalyseOptions {
  variants?: readonly Variant[];
  /**
   * The final figures (default true): look for a second, slower limit and check that the
   * rate was shown (rateShown). The probe's rounds between experiments skip both.
   */
  secondLimit?: boolean;
}

/**
 * Adds the fit of two sliding logs in AND to a report, when it explains clearly more
 * than the best single limit: at least two requests, and half of what that one gets
 * wrong (the same bar as a second limit found behind one, second-limit.ts). Four
 * parameters explain almost any recording a little better; only a clear gain means a
 * second limit.
 */
function addPairFit(report: FitReport, samples: readonly Sample[]): void {
  const single = report.fits[0]?.best;
  if (single === undefined || single.mismatches < 2 || single.variant.shape === 'concurrency') return;
  const pair = fitSlidingLogPair(samples);
  if (pair === null || pair.best.mismatches > single.mismatches - Math.max(2, 0.5 * single.mismatches)) return;
  report.fits.push(pair);
  report.fits.sort((a, b) => a.best.score - b.best.score);
}

/** Analyses one dimension of a recording's observations. */
export function analyseDimension(observations: readonly Observation[], dimension: Dimension, options: AnalyseOptions = {}): DimensionAnalysis {
  const variants = options.variants;
  const samples = samplesFor(observations, dimension);
  const report = fitDimension(samples, dimension, variants);
  const latencyMs = median(observations.filter((observation) => observation.outcome === 'admitted').map((observation) => observation.latencyMs));
  const unitWeights = dimension === 'requests';
  if (report.refusals === 0 || report.fits.length === 0) {
    const analysis = { dimension, samples, report, best: null, plausible: [], figures: null, shape: 'none-observed' as const, spread: null, latencyMs, secondLimit: null };
    return { ...analysis, confidence: 'none' };
  }
  if (unitWeights && (variants === undefined || variants.includes(SLIDING_LOG_PAIR))) addPairFit(report, samples);
  const bestScore = report.fits[0]!.best.score;
  const tolerance = plausibilityTolerance(report.fits[0]!.best.mismatches);
  const plausibleFits = report.fits.filter((fit) => fit.best.score <= bestScore + tolerance);
  const plausible = plausibleFits.flatMap((fit) => fit.representatives);
  const best = report.fits[0]!.best;
  const measuredBurst = unitWeights ? idleBurst(best, samples) : null;
  let figures = figuresOf(best, unitWeights, latencyMs, measuredBurst);
  let secondLimit: DimensionAnalysis['secondLimit'] = null;
  if (best.variant === SLIDING_LOG_PAIR) {
    // The pair's second log is the slower limit: the same sentence as a second limit found behind one.
    const { secondWindowMs, secondExtra } = best.params;
    const secondBurst = Math.floor(best.capacity + 1e-6) + secondExtra!;
    const hypothesis: Hypothesis = { ...best, variant: variantById('sliding-log'), params: { ratePerSecond: null, windowMs: secondWindowMs!, phaseMs: null, blockMs: null }, capacity: secondBurst, capacityHigh: secondBurst + 1 };
    secondLimit = { hypothesis, perSecond: secondBurst / (secondWindowMs! / 1000), windowSeconds: secondWindowMs! / 1000, burst: secondBurst };
  } else if (unitWeights && options.secondLimit !== false) {
    const found = findSecondLimit(samples, best);
    const rate = found === null ? null : longRunRate(found.hypothesis);
    if (found !== null && rate !== null) {
      const second = figuresOf(found.hypothesis, true, latencyMs);
      secondLimit = { hypothesis: found.hypothesis, perSecond: rate, windowSeconds: found.hypothesis.params.windowMs === null ? null : found.hypothesis.params.windowMs / 1000, burst: second.burst };
      // Bursts meet the first limit; sustained traffic the slower second one.
      figures = { ...figures, perSecond: Math.min(figures.perSecond, rate) };
    }
  }
  const all = plausible.map((hypothesis) => figuresOf(hypothesis, unitWeights, latencyMs, measuredBurst));
  const spread = {
    burst: spreadOf(all.map((figure) => figure.burst)),
    perSecond: spreadOf(all.map((figure) => figure.perSecond)),
    windowSeconds: spreadOf(all.map((figure) => figure.windowSeconds)),
  };
  const shapes = new Set(plausibleFits.filter((fit) => !disguisedConcurrency(fit.best, plausibleFits, latencyMs)).map((fit) => fit.best.variant.shape));
  const shape: LimiterShape = shapes.size === 1 ? best.variant.shape : 'unknown';
  if (secondLimit !== null) spread.perSecond = { min: Math.min(spread.perSecond.min, figures.perSecond), max: Math.min(spread.perSecond.max, Math.max(figures.perSecond, secondLimit.perSecond)) };
  // A rate no experiment showed is not reported: the fastest admission seen stands in for it.
  // Final figures only: between the probe's experiments the fitted rate is what its
  // confirmation stream is paced from, and a stream paced from the stand-in would never
  // show a faster rate (a bucket's true one included).
  const rateNotShown = unitWeights && options.secondLimit !== false ? rateShown(figures, samples) : null;
  if (rateNotShown !== null && rateNotShown !== undefined) figures = { ...figures, perSecond: rateNotShown.fastestAdmittedPerSecond };
  const partial = { dimension, samples, report, best, plausible, figures, shape, spread, latencyMs, secondLimit, rateNotShown };
  return { ...partial, confidence: confidenceOf(partial, report.refusals) };
}
