/**
 * Fitting limiter hypotheses to a recording: for every variant in the catalogue,
 * search its parameters (refill rate, window length, where the boundaries sit,
 * block length) for the setting whose replay of the recorded requests gets the
 * fewest admissions and refusals wrong.
 *
 * How: a coarse geometric grid over the whole plausible range, then a fine grid
 * around the best few coarse points. Geometric because the precision we need is
 * relative (a window of 1 s ± 5 % and one of 60 s ± 5 %). Each grid point is one
 * replay of the recording (teacher-forced, see models/replay-model.ts) plus one
 * sort to find the best capacity (threshold.ts).
 *
 * Besides the best setting, a fit reports how far the main parameter can move
 * without making the fit worse (`mainRange`): that range is the measurement's
 * uncertainty, and the probe's next experiment aims at shrinking it.
 */
import { columnsOf, type Sample, type Dimension } from './samples.js';
import type { ReplayColumns, ReplayModel } from './models/replay-model.js';
import { fitThreshold, mismatchesAt } from './threshold.js';
import { VARIANTS, type Variant, type VariantParams } from './variants.js';

/** One explanation of the recording: a variant, its parameters and its capacity. */
export interface Hypothesis {
  variant: Variant;
  params: VariantParams;
  /** Admit when load + weight ≤ capacity. */
  capacity: number;
  /** Any capacity in [capacity, capacityHigh) explains the data as well. */
  capacityHigh: number;
  /** Scored requests this hypothesis gets wrong. */
  mismatches: number;
  /** mismatches + the variant's complexity: lower is better. */
  score: number;
  /** Range of the main parameter (rate per second or window ms) that fits as well; null for none. */
  mainRange: { low: number; high: number } | null;
}

/** What one variant's fit found: its best hypothesis and hypotheses at the edges of its uncertainty. */
export interface VariantFit {
  best: Hypothesis;
  /** The best, plus the lowest and highest main parameter that fit as well (distinct ones only). */
  representatives: Hypothesis[];
}

/** Everything a fit of one dimension found. */
export interface FitReport {
  dimension: Dimension;
  /** Best hypothesis of each variant tried, best score first. */
  fits: VariantFit[];
  /** Scored requests (admitted + refused in this dimension). */
  scored: number;
  /** Refusals in this dimension. */
  refusals: number;
}

/** Replays `model` over the recorded requests; returns each request's load including its own weight. */
export function replayValues(model: ReplayModel, requests: ReplayColumns): Float64Array {
  const values = new Float64Array(requests.length);
  model.replay(requests, values);
  return values;
}

/** Geometric grid from `from` to `to` (inclusive-ish) with the given ratio. */
export function geometricGrid(from: number, to: number, ratio: number): number[] {
  const grid: number[] = [];
  for (let value = from; value <= to * (1 + 1e-9); value *= ratio) grid.push(value);
  return grid;
}

interface Evaluation {
  params: VariantParams;
  mismatches: number;
  capacity: number;
  capacityHigh: number;
}

interface FitContext {
  /** The samples as columns (what replays read). */
  requests: ReplayColumns;
  labels: Int8Array;
  spanMs: number;
  /** Capacities to try for capacity-dependent variants (and the quick scoring of phased ones). */
  capacities: number[];
  /** Window lengths other variants found (ms): where phased variants look closely. */
  references: number[];
  /** Calls (whole-request capacities) rather than tokens. */
  unitWeights: boolean;
  /** One value per sample, overwritten by every replay of an evaluation (saves an allocation per replay). */
  scratch: Float64Array;
}

function evaluate(variant: Variant, params: VariantParams, context: FitContext): Evaluation {
  const { requests, scratch: values } = context;
  if (!variant.capacityDependent) {
    variant.create(params, Number.POSITIVE_INFINITY).replay(requests, values);
    const fit = fitThreshold(values, context.labels);
    return { params, mismatches: fit.mismatches, capacity: fit.low, capacityHigh: fit.high };
  }
  let best: Evaluation | null = null;
  for (const capacity of context.capacities) {
    variant.create(params, capacity).replay(requests, values);
    const mismatches = mismatchesAt(values, context.labels, capacity);
    if (best === null || mismatches < best.mismatches) best = { params, mismatches, capacity, capacityHigh: capacity + 1 };
  }
  return best!;
}

/** Samples replayed between two looks at whether a quick evaluation can still win. */
const QUICK_CHUNK = 32;

/**
 * Scores a setting at a few whole capacities only (one pass, no sort): many times
 * cheaper than `evaluate`, good enough to pick the settings worth evaluating fully.
 *
 * `bound` is the score to beat: the caller keeps a setting only when it gets strictly
 * fewer wrong. Wrong predictions only add up as the replay goes on, so once every
 * capacity has `bound` of them the setting cannot win, and the replay stops there
 * (null). The settings that win, and their scores, are the same as without it.
 */
function quickEvaluate(variant: Variant, params: VariantParams, context: FitContext, bound = Number.POSITIVE_INFINITY): Evaluation | null {
  const capacities = context.capacities;
  const wrong = new Int32Array(capacities.length);
  const { requests, labels, scratch: values } = context;
  const model = variant.create(params, Number.POSITIVE_INFINITY);
  for (let from = 0; from < requests.length; from += QUICK_CHUNK) {
    const to = Math.min(requests.length, from + QUICK_CHUNK);
    model.replay(requests, values, from, to);
      for (let index = from; index < to; index++) {
      const label = labels[index];
      if (label === -1) continue;
      const value = values[index]!;
      for (let position = 0; position < capacities.length; position++) {
        const admitted = value <= capacities[position]! + 1e-7;
        if (admitted !== (label === 1)) wrong[position]!++;
      }
    }
    let fewest = wrong[0]!;
    for (let position = 1; position < capacities.length; position++) fewest = Math.min(fewest, wrong[position]!);
    if (fewest >= bound) return null;
  }
  let bestPosition = 0;
  for (let position = 1; position < capacities.length; position++) if (wrong[position]! < wrong[bestPosition]!) bestPosition = position;
  const capacity = capacities[bestPosition]!;
  return { params, mismatches: wrong[bestPosition]!, capacity, capacityHigh: capacity + 1 };
}

const NO_PARAMS: VariantParams = { ratePerSecond: null, windowMs: null, phaseMs: null, blockMs: null };

/** The main parameter of a params object (rate or window), or null. */
export function mainValue(variant: Variant, params: VariantParams): number | null {
  if (variant.main === 'rate') return params.ratePerSecond;
  if (variant.main === 'window') return params.windowMs;
  return null;
}

function withMain(variant: Variant, value: number): VariantParams {
  return variant.main === 'rate' ? { ...NO_PARAMS, ratePerSecond: value } : { ...NO_PARAMS, windowMs: value };
}

/** The parameter settings to try for one main value: phases and block lengths as the variant needs. */
function expand(variant: Variant, main: number, phaseSteps: number, blockGrid: readonly number[]): VariantParams[] {
  const base = withMain(variant, main);
  let settings: VariantParams[] = [base];
  if (variant.phased) {
    settings = [];
    for (let step = 0; step < phaseSteps; step++) settings.push({ ...base, phaseMs: (main * step) / phaseSteps });
  }
  if (variant.blocked) {
    settings = settings.flatMap((setting) => blockGrid.map((blockMs) => ({ ...setting, blockMs })));
  }
  return settings;
}

/**
 * Best evaluation per main value over a list of main values. `quick` scores at
 * whole capacities only (calls, not tokens): used for the wide sweeps, whose best
 * points are then evaluated fully.
 */
function sweep(variant: Variant, mains: readonly number[], context: FitContext, phaseSteps: number, blockGrid: (main: number) => number[], quick = false): Evaluation[] {
  const useQuick = quick && context.unitWeights && !variant.capacityDependent && context.capacities.length > 0;
  const bestPerMain: Evaluation[] = [];
  for (const main of mains) {
    let best = null as Evaluation | null;
    for (const params of expand(variant, main, phaseSteps, blockGrid(main))) {
      const evaluation = useQuick ? quickEvaluate(variant, params, context, best?.mismatches) : evaluate(variant, params, context);
      if (evaluation !== null && (best === null || evaluation.mismatches < best.mismatches)) best = evaluation;
    }
    bestPerMain.push(best!);
  }
  return bestPerMain;
}

/** The coarse grid of the main parameter, over everything the recording could tell apart. */
function coarseMains(variant: Variant, spanMs: number): number[] {
  const ratio = variant.phased || variant.blocked ? 1.15 : 1.05;
  if (variant.main === 'rate') {
    const spanSeconds = Math.max(spanMs / 1000, 0.01);
    return geometricGrid(Math.max(0.001, 0.25 / spanSeconds), 5000, ratio);
  }
  return geometricGrid(20, Math.max(2 * spanMs, 2000), ratio);
}

function toHypothesis(variant: Variant, evaluation: Evaluation, mainRange: Hypothesis['mainRange']): Hypothesis {
  return {
    variant,
    params: evaluation.params,
    capacity: evaluation.capacity,
    capacityHigh: evaluation.capacityHigh,
    mismatches: evaluation.mismatches,
    score: evaluation.mismatches + variant.complexity,
    mainRange,
  };
}

/** Picks up to `count` local bests of a sweep, far enough apart to be different explanations. */
function localBests(evaluations: readonly Evaluation[], variant: Variant, count: number, apart = 1.15): Evaluation[] {
  const sorted = evaluations.slice().sort((a, b) => a.mismatches - b.mismatches);
  const picked: Evaluation[] = [];
  for (const evaluation of sorted) {
    const main = mainValue(variant, evaluation.params)!;
    if (picked.some((other) => Math.abs(Math.log(mainValue(variant, other.params)! / main)) < Math.log(apart))) continue;
    picked.push(evaluation);
    if (picked.length === count) break;
  }
  return picked;
}

/** One refinement stage: a grid of ±`spread` around a seed, with `ratio` steps. */
interface Stage {
  spread: number;
  ratio: number;
  phaseSteps: number;
  blockSpread: number;
  blockRatio: number;
}

/** Coarse, then ±12 %, then ±2.5 %: about 1 % resolution for a few hundred replays. */
const STAGES: readonly Stage[] = [
  { spread: 1.15, ratio: 1.02, phaseSteps: 12, blockSpread: 1.3, blockRatio: 1.05 },
  { spread: 1.025, ratio: 1.004, phaseSteps: 24, blockSpread: 1.06, blockRatio: 1.01 },
];

function refine(variant: Variant, context: FitContext, seed: Evaluation, stage: Stage, quick = false): Evaluation[] {
  const center = mainValue(variant, seed.params)!;
  const mains = geometricGrid(center / stage.spread, center * stage.spread, stage.ratio);
  const seedBlock = seed.params.blockMs;
  const blocks = (): number[] => (seedBlock === null ? [] : geometricGrid(seedBlock / stage.blockSpread, seedBlock * stage.blockSpread, stage.blockRatio));
  return sweep(variant, mains, context, stage.phaseSteps, blocks, quick);
}

/** Local refinement of a phased setting: the window ±0.3 % and the phase ± 1/24 window, fully evaluated. */
function refinePhased(variant: Variant, context: FitContext, seed: Evaluation): Evaluation[] {
  const center = seed.params.windowMs!;
  const results: Evaluation[] = [];
  for (const windowMs of geometricGrid(center / 1.003, center * 1.003, 1.0005)) {
    let best: Evaluation | null = null;
    for (let step = -4; step <= 4; step++) {
      const phaseMs = seed.params.phaseMs! + (windowMs * step) / (24 * 4);
      const evaluation = evaluate(variant, { ...NO_PARAMS, windowMs, phaseMs }, context);
      if (best === null || evaluation.mismatches < best.mismatches) best = evaluation;
    }
    results.push(best!);
  }
  return results;
}

function bestOf(evaluations: readonly Evaluation[]): Evaluation {
  let best = evaluations[0]!;
  for (const evaluation of evaluations) if (evaluation.mismatches < best.mismatches) best = evaluation;
  return best;
}

/**
 * Widens [low, high] along a sweep (sorted by main value) while the fit stays as good
 * as `mismatches`; returns whether the sweep's edge was reached on each side.
 */
function widen(variant: Variant, sweepResult: readonly Evaluation[], range: { low: number; high: number }, mismatches: number): { low: boolean; high: boolean } {
  const mains = sweepResult.map((evaluation) => mainValue(variant, evaluation.params)!);
  let lowIndex = mains.findIndex((main) => main >= range.low * (1 - 1e-9));
  let highIndex = mains.length - 1 - [...mains].reverse().findIndex((main) => main <= range.high * (1 + 1e-9));
  if (lowIndex < 0 || highIndex < 0 || highIndex >= mains.length || lowIndex > highIndex) return { low: false, high: false };
  while (lowIndex > 0 && sweepResult[lowIndex - 1]!.mismatches <= mismatches) lowIndex--;
  while (highIndex < mains.length - 1 && sweepResult[highIndex + 1]!.mismatches <= mismatches) highIndex++;
  range.low = Math.min(range.low, mains[lowIndex]!);
  range.high = Math.max(range.high, mains[highIndex]!);
  return { low: lowIndex === 0, high: highIndex === mains.length - 1 };
}

/**
 * The search that makes clock-aligned windows (fixed, counter) findable. Their
 * boundaries sit at phase + k·window, so an error δ in the window moves a boundary
 * k windows away by k·δ·window: over 40 s of 2-s windows a 0.5 % error is already a
 * twentieth of a window at the far end, and the right window scores as badly as a
 * wrong one on a coarse grid.
 *
 * So: phases are counted from the middle of the recording (nearby windows then
 * keep nearby boundaries), a 1 % grid runs ±40 % around each reference window
 * (what the other variants and the coarse grid found), and around the best few a
 * grid fine enough that boundaries drift at most 1/24 of a window from the middle
 * to either end. Everything is scored at whole capacities, without sorting.
 */
function spanAwareSweep(variant: Variant, context: FitContext, references: readonly number[]): Evaluation[] {
  const { atMs } = context.requests;
  const centerMs = atMs.length === 0 ? 0 : (atMs[0]! + atMs[atMs.length - 1]!) / 2;
  const bestPhase = (windowMs: number, steps = 24): Evaluation => {
    let best: Evaluation | null = null;
    for (let step = 0; step < steps; step++) {
      const phaseMs = (((centerMs + (windowMs * step) / steps) % windowMs) + windowMs) % windowMs;
      const evaluation = quickEvaluate(variant, { ...NO_PARAMS, windowMs, phaseMs }, context, best?.mismatches);
      if (evaluation !== null && (best === null || evaluation.mismatches < best.mismatches)) best = evaluation;
    }
    return best!;
  };
  const results: Evaluation[] = [];
  const seen: number[] = [];
  for (const reference of references) {
    if (!(reference > 0) || seen.some((other) => Math.abs(Math.log(other / reference)) < Math.log(1.25))) continue;
    seen.push(reference);
    for (const windowMs of geometricGrid(reference / 1.4, reference * 1.4, 1.015)) results.push(bestPhase(windowMs, 12));
  }
  const halfSpan = Math.max(context.spanMs / 2, 1);
  // Several finalists, also close to each other: on the 1.5 % grid the right window can
  // score a little worse than a neighbour that happens to sit better with 12 phases.
  const finalists = localBests(results, variant, 5, 1.03);
  for (const finalist of finalists) {
    const center = finalist.params.windowMs!;
    const ratio = Math.min(1.004, Math.max(1.0003, 1 + center / (24 * halfSpan)));
    for (const windowMs of geometricGrid(center / 1.03, center * 1.03, ratio)) results.push(bestPhase(windowMs));
  }
  return results.sort((a, b) => mainValue(variant, a.params)! - mainValue(variant, b.params)!);
}

/**
 * How far a block can move, the main parameter fixed, without predicting worse: the
 * block is the recovery of a blocking limiter, so its uncertainty is the recovery's.
 * Returns the setting at the geometric middle of that range (when it fits as well)
 * and the settings at its edges, so the plausible figures spread as far as the
 * evidence allows and the next experiment aims at the gap.
 */
function blockSpread(variant: Variant, context: FitContext, seed: Evaluation): { middle: Evaluation; edges: Evaluation[] } {
  const center = seed.params.blockMs!;
  const grid = geometricGrid(center / 4, center * 4, 1.02);
  const results = grid.map((blockMs) => evaluate(variant, { ...seed.params, blockMs }, context));
  const centerIndex = results.reduce((bestIndex, evaluation, index) => (Math.abs(Math.log(grid[index]! / center)) < Math.abs(Math.log(grid[bestIndex]! / center)) ? index : bestIndex), 0);
  let low = centerIndex;
  let high = centerIndex;
  while (low > 0 && results[low - 1]!.mismatches <= seed.mismatches) low--;
  while (high < results.length - 1 && results[high + 1]!.mismatches <= seed.mismatches) high++;
  const middleBlock = Math.sqrt(grid[low]! * grid[high]!);
  const middle = evaluate(variant, { ...seed.params, blockMs: middleBlock }, context);
  const edges = high > low && grid[high]! / grid[low]! > 1.01 ? [results[low]!, results[high]!] : [];
  return { middle: middle.mismatches <= seed.mismatches ? middle : seed, edges };
}

/** Fits one variant: coarse grid, two finer grids around the best, and the range of equally good settings. */
export function fitVariant(variant: Variant, context: FitContext): VariantFit {
  if (variant.main === null) {
    const hypothesis = toHypothesis(variant, evaluate(variant, NO_PARAMS, context), null);
    return { best: hypothesis, representatives: [hypothesis] };
  }
  const blockCoarse = (): number[] => geometricGrid(100, Math.max(2 * context.spanMs, 2000), 1.3);
  const coarse = sweep(variant, coarseMains(variant, context.spanMs), context, 6, blockCoarse, true);

  let stageOne: Evaluation[] = [];
  let stageOneBest: Evaluation | null = null;
  const seeds = localBests(coarse, variant, variant.phased || variant.blocked ? 2 : 3);
  if (variant.phased && context.unitWeights && context.capacities.length > 0) {
    const references = [...seeds.map((seed) => mainValue(variant, seed.params)!), ...context.references];
    stageOne = spanAwareSweep(variant, context, references);
    // The quick scores chose the settings; the few best get the full capacity fit.
    const finalists = stageOne.slice().sort((a, b) => a.mismatches - b.mismatches).slice(0, 5);
    for (const finalist of finalists) {
      const full = evaluate(variant, finalist.params, context);
      if (stageOneBest === null || full.mismatches < stageOneBest.mismatches) stageOneBest = full;
    }
  } else {
    for (const seed of seeds) {
      const result = refine(variant, context, seed, STAGES[0]!, true);
      // The quick scores chose the setting; it gets the full capacity fit.
      const best = evaluate(variant, bestOf(result).params, context);
      if (stageOneBest === null || best.mismatches < stageOneBest.mismatches) {
        stageOneBest = best;
        stageOne = result;
      }
    }
  }
  const stageTwo = variant.phased && context.unitWeights && context.capacities.length > 0 ? refinePhased(variant, context, stageOneBest!) : refine(variant, context, stageOneBest!, STAGES[1]!);
  const best = bestOf(stageTwo).mismatches <= stageOneBest!.mismatches ? bestOf(stageTwo) : stageOneBest!;

  const bestMain = mainValue(variant, best.params)!;
  const range = { low: bestMain, high: bestMain };
  // Widen along the finest grid first; where it reaches that grid's edge, the coarser ones say how far it goes.
  for (const sweepResult of [stageTwo, stageOne, coarse]) {
    const edges = widen(variant, sweepResult, range, best.mismatches);
    if (!edges.low && !edges.high) break;
  }
  // The reported value is the geometric middle of the range, when that is as good.
  const middleMain = Math.sqrt(range.low * range.high);
  const middleStage: Stage = { ...STAGES[1]!, spread: 1, ratio: 2 };
  const middle = refine(variant, context, { ...best, params: { ...best.params, ...withMain(variant, middleMain), phaseMs: best.params.phaseMs, blockMs: best.params.blockMs } }, middleStage)[0]!;
  let chosen = middle.mismatches <= best.mismatches ? middle : best;
  const blockEdges: Evaluation[] = [];
  if (variant.blocked && chosen.params.blockMs !== null) {
    const spread = blockSpread(variant, context, chosen);
    chosen = spread.middle;
    blockEdges.push(...spread.edges);
  }
  const hypothesis = toHypothesis(variant, chosen, { ...range });
  const representatives = [hypothesis];
  for (const edge of blockEdges) representatives.push(toHypothesis(variant, edge, { ...range }));
  for (const edgeMain of [range.low, range.high]) {
    if (representatives.some((other) => Math.abs(mainValue(variant, other.params)! / edgeMain - 1) < 0.01)) continue;
    const edge = refine(variant, context, { ...best, params: { ...best.params, ...withMain(variant, edgeMain), phaseMs: best.params.phaseMs, blockMs: best.params.blockMs } }, middleStage)[0]!;
    representatives.push(toHypothesis(variant, edge, { ...range }));
  }
  return { best: hypothesis, representatives };
}

/** Capacities worth trying for capacity-dependent variants: around the burst the recording shows. */
function capacityCandidates(samples: readonly Sample[]): number[] {
  // The most requests admitted at one instant (within 50 ms), plus what preceded it within the same second.
  let most = 1;
  let start = 0;
  let admittedInGroup = 0;
  for (let index = 0; index < samples.length; index++) {
    const sample = samples[index]!;
    while (samples[start]!.atMs < sample.atMs - 50) {
      if (samples[start]!.admitted) admittedInGroup--;
      start++;
    }
    if (sample.admitted) admittedInGroup++;
    most = Math.max(most, admittedInGroup);
  }
  const candidates: number[] = [];
  for (let capacity = Math.max(1, most - 1); capacity <= most + 2; capacity++) candidates.push(capacity);
  return candidates;
}

/**
 * Fits every variant of a dimension to its samples. `labels` replaces the samples'
 * own labels (the second-limit search scores only what the first limit leaves unexplained).
 */
export function fitDimension(samples: readonly Sample[], dimension: Dimension, variants: readonly Variant[] = VARIANTS, labelsOverride?: Int8Array): FitReport {
  const labels = labelsOverride ?? new Int8Array(samples.map((sample) => sample.label));
  // Whole capacities near the instantaneous burst serve the quick scoring; a second
  // limit (labels given) can hold far more than a burst, so it is scored in full.
  const quickCapacities = labelsOverride === undefined;
  const scored = labels.filter((label) => label !== -1).length;
  const refusals = labels.filter((label) => label === 0).length;
  const spanMs = samples.length === 0 ? 0 : samples[samples.length - 1]!.atMs - samples[0]!.atMs;
  const unitWeights = dimension === 'requests';
  const context: FitContext = { requests: columnsOf(samples), labels, spanMs, capacities: unitWeights && quickCapacities ? capacityCandidates(samples) : [], references: [], unitWeights, scratch: new Float64Array(samples.length) };
  const eligible = variants.filter((variant) => variant.dimensions.includes(dimension));
  const fits: VariantFit[] = [];
  for (const variant of eligible.filter((candidate) => !candidate.phased)) fits.push(fitVariant(variant, context));
  // What the simpler variants found is where the phased ones look closely.
  for (const fit of fits) {
    const { windowMs, ratePerSecond } = fit.best.params;
    if (windowMs !== null) context.references.push(windowMs);
    if (ratePerSecond !== null && Number.isFinite(fit.best.capacity)) context.references.push((1000 * Math.max(1, fit.best.capacity)) / ratePerSecond);
  }
  for (const variant of eligible.filter((candidate) => candidate.phased)) fits.push(fitVariant(variant, context));
  fits.sort((a, b) => a.best.score - b.best.score);
  return { dimension, fits, scored, refusals };
}
