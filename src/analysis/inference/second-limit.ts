/**
 * A second, slower limit behind the one that binds for bursts — Azure's 10-s
 * window behind its 1-s cap when RPM/60 is not a whole number (300 RPM: 5 per
 * second and 50 per 10 s agree; 264 RPM: 5 per second but only 44 per 10 s).
 *
 * The first limit explains the bursts; sustained traffic just under its rate is
 * refused now and then by the second. So: keep the refusals the first limit does
 * not explain, fit every window and bucket kind to exactly those (everything the
 * first limit refused is left out), and accept the second limit only when both
 * together explain clearly more than the first alone and it is the slower one.
 */
import type { Hypothesis } from './fit.js';
import { fitDimension, replayValues } from './fit.js';
import { columnsOf, type Sample } from './samples.js';
import { VARIANTS } from './variants.js';

const SAME_VALUE = 1e-7;

/** What a hypothesis predicts for every sample (teacher-forced replay). */
function predictions(hypothesis: Hypothesis, samples: readonly Sample[]): boolean[] {
  const values = replayValues(hypothesis.variant.create(hypothesis.params, hypothesis.capacity), columnsOf(samples));
  return Array.from(values, (value) => value <= hypothesis.capacity + SAME_VALUE);
}

/** Long-run rate of a hypothesis, per second (capacity over window, or the refill rate). */
export function longRunRate(hypothesis: Hypothesis): number | null {
  if (hypothesis.params.ratePerSecond !== null) return hypothesis.params.ratePerSecond;
  if (hypothesis.params.windowMs !== null && Number.isFinite(hypothesis.capacity)) return Math.floor(hypothesis.capacity + 1e-6) / (hypothesis.params.windowMs / 1000);
  return null;
}

/** The second limit and how many wrong predictions the pair still makes; null when none is needed or found. */
export function findSecondLimit(samples: readonly Sample[], primary: Hypothesis): { hypothesis: Hypothesis; mismatches: number } | null {
  if (primary.mismatches < 3 || primary.variant.shape === 'concurrency') return null;
  const primaryRate = longRunRate(primary);
  if (primaryRate === null) return null;
  const first = predictions(primary, samples);
  // Refusals the first limit explains say nothing about the second: leave them out.
  const labels = new Int8Array(samples.map((sample, index) => (sample.label === 0 && !first[index] ? -1 : sample.label)));
  if (!labels.some((label) => label === 0)) return null;
  const candidates = VARIANTS.filter((variant) => !variant.penalty && !variant.capacityDependent && variant.shape !== 'concurrency');
  const report = fitDimension(samples, 'requests', candidates, labels);
  for (const fit of report.fits) {
    const second = fit.best;
    const secondRate = longRunRate(second);
    if (secondRate === null || secondRate >= 0.98 * primaryRate) continue;
    const both = predictions(second, samples).map((admitted, index) => admitted && first[index]!);
    let mismatches = 0;
    samples.forEach((sample, index) => {
      if (sample.label !== -1 && (sample.label === 1) !== both[index]) mismatches++;
    });
    if (mismatches <= primary.mismatches - Math.max(2, 0.5 * primary.mismatches)) return { hypothesis: second, mismatches };
  }
  return null;
}
