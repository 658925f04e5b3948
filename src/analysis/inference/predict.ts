/**
 * What a hypothesis expects next: the state its model reaches after replaying the
 * recording, whether it would admit a request at a given time, and when it would
 * admit one again. The probe uses these to time its next experiment where the
 * plausible hypotheses disagree; the analysis itself only uses the replay.
 */
import type { Hypothesis } from './fit.js';
import type { ReplayModel } from './models/replay-model.js';
import type { Sample } from './samples.js';

/** A request the probe plans to send, as a model sees it. */
export interface PlannedSample {
  atMs: number;
  weight: number;
  /** When the server would let go of it if admitted (concurrency caps). */
  releaseMs: number;
}

/** Float noise allowance in capacity comparisons (same as threshold.ts). */
const SAME_VALUE = 1e-7;

/** The model of `hypothesis` after replaying `samples` (what really happened). */
export function replayedModel(hypothesis: Hypothesis, samples: readonly Sample[]): ReplayModel {
  const model = hypothesis.variant.create(hypothesis.params, hypothesis.capacity);
  for (const sample of samples) model.record(sample.atMs, sample.weight, sample.admitted, sample.releaseMs);
  return model;
}

/** Whether the hypothesis admits a request of `weight` at `atMs` in the model's current state. */
export function admitsAt(hypothesis: Hypothesis, model: ReplayModel, atMs: number, weight: number): boolean {
  return model.loadAt(atMs) + weight <= hypothesis.capacity + SAME_VALUE;
}

/** What the hypothesis predicts for planned requests (the model is not changed: a copy runs ahead). */
export function predictOutcomes(hypothesis: Hypothesis, model: ReplayModel, planned: readonly PlannedSample[]): boolean[] {
  const copy = model.clone();
  return planned.map((request) => {
    const admitted = admitsAt(hypothesis, copy, request.atMs, request.weight);
    copy.record(request.atMs, request.weight, admitted, request.releaseMs);
    return admitted;
  });
}

/**
 * The earliest time in [fromMs, fromMs + horizonMs] at which the hypothesis admits
 * a request of `weight` if nothing else is sent; null when not within the horizon.
 * Every model's load only falls while nothing arrives, so a bisection finds it.
 */
export function earliestAdmission(hypothesis: Hypothesis, model: ReplayModel, fromMs: number, weight: number, horizonMs: number): number | null {
  if (admitsAt(hypothesis, model, fromMs, weight)) return fromMs;
  let low = fromMs;
  let high = fromMs + horizonMs;
  if (!admitsAt(hypothesis, model, high, weight)) return null;
  while (high - low > 0.5) {
    const middle = (low + high) / 2;
    if (admitsAt(hypothesis, model, middle, weight)) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The earliest time the hypothesis is back at full capacity (a load of zero) if
 * nothing else is sent; null when not within the horizon.
 */
export function earliestFullRecovery(model: ReplayModel, fromMs: number, horizonMs: number): number | null {
  if (model.loadAt(fromMs) <= SAME_VALUE) return fromMs;
  let low = fromMs;
  let high = fromMs + horizonMs;
  if (model.loadAt(high) > SAME_VALUE) return null;
  while (high - low > 0.5) {
    const middle = (low + high) / 2;
    if (model.loadAt(middle) <= SAME_VALUE) high = middle;
    else low = middle;
  }
  return high;
}
