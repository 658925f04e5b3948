/**
 * The fit of two sliding logs in AND (models/sliding-log-pair.ts): L₁ per W₁ and a
 * slower L₂ per W₂, both counting every admitted request.
 *
 * Why a search of its own: the catalogue's fit (fit.ts) searches one main parameter
 * and one capacity; a pair has two of each. But a sliding log's load at each request
 * depends on its window only (the replay follows what really happened), so the loads
 * of every window on the grid are computed once, and the pair is scored from them:
 * the first log's capacity decides which requests it lets through, and among those
 * the second log's best capacity is one pass over a histogram of whole loads. A
 * coarse grid over both windows, then a fine one around the best.
 *
 * The pair is reported only when it explains clearly more than the best single limit
 * (dimension.ts): with four parameters it can explain almost anything a little better.
 */
import type { Hypothesis, VariantFit } from './fit.js';
import { geometricGrid, replayValues } from './fit.js';
import { SlidingLogModel } from './models/sliding-log.js';
import { columnsOf, type Sample } from './samples.js';
import type { ReplayColumns } from './models/replay-model.js';
import { SLIDING_LOG_PAIR } from './variants.js';

/** The second window is at least this much longer than the first (else it is one limit). */
const LONGER = 1.5;
/** The second limit's rate is at most this share of the first's (else the first binds alone). */
const SLOWER = 0.98;

/** One scored setting of the pair. */
interface PairSetting {
  firstWindowMs: number;
  secondWindowMs: number;
  firstCapacity: number;
  secondCapacity: number;
  mismatches: number;
}

/** Each sample's load in a sliding log of `windowMs` (its own request included), as whole counts. */
function loads(requests: ReplayColumns, windowMs: number): Int32Array {
  const values = replayValues(new SlidingLogModel(windowMs, false), requests);
  const counts = new Int32Array(values.length);
  for (let index = 0; index < values.length; index++) counts[index] = Math.round(values[index]!);
  return counts;
}

/** The most requests admitted within 50 ms of each other: where the first capacity is looked for. */
function instantBurst(samples: readonly Sample[]): number {
  let most = 1;
  let start = 0;
  let admitted = 0;
  for (let index = 0; index < samples.length; index++) {
    while (samples[start]!.atMs < samples[index]!.atMs - 50) {
      if (samples[start]!.admitted) admitted--;
      start++;
    }
    if (samples[index]!.admitted) admitted++;
    most = Math.max(most, admitted);
  }
  return most;
}

/**
 * The best second capacity for one first log and one second window: requests the
 * first refuses are predicted refused whatever the second does; among the rest, the
 * second admits those whose load is at most its capacity.
 */
function scoreSecond(labels: Int8Array, firstAdmits: Uint8Array, firstWrong: number, second: Int32Array, firstCapacity: number, scratch: { admitted: Int32Array; refused: Int32Array }): { capacity: number; mismatches: number } {
  const { admitted, refused } = scratch;
  admitted.fill(0);
  refused.fill(0);
  let admittedTotal = 0;
  let top = 0;
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index];
    if (label === -1 || firstAdmits[index] === 0) continue;
    const value = Math.min(second[index]!, admitted.length - 1);
    top = Math.max(top, value);
    if (label === 1) {
      admitted[value]!++;
      admittedTotal++;
    } else refused[value]!++;
  }
  // Capacity c admits loads ≤ c: wrong are the admitted above c and the refused at or below it.
  let bestCapacity = firstCapacity + 1;
  let wrong = admittedTotal;
  for (let value = 0; value <= firstCapacity + 1 && value <= top; value++) wrong += refused[value]! - admitted[value]!;
  let best = wrong;
  for (let capacity = firstCapacity + 2; capacity <= top; capacity++) {
    wrong += refused[capacity]! - admitted[capacity]!;
    if (wrong < best) {
      best = wrong;
      bestCapacity = capacity;
    }
  }
  return { capacity: bestCapacity, mismatches: firstWrong + best };
}

/** Scores every pair of windows from the two grids, at first capacities around the instant burst. */
function search(samples: readonly Sample[], labels: Int8Array, firstWindows: readonly number[], secondWindows: readonly number[], firstCapacities: readonly number[]): PairSetting[] {
  const cache = new Map<number, Int32Array>();
  const requests = columnsOf(samples);
  const loadsOf = (windowMs: number): Int32Array => {
    let found = cache.get(windowMs);
    if (found === undefined) {
      found = loads(requests, windowMs);
      cache.set(windowMs, found);
    }
    return found;
  };
  const scratch = { admitted: new Int32Array(samples.length + 2), refused: new Int32Array(samples.length + 2) };
  const firstAdmits = new Uint8Array(samples.length);
  const settings: PairSetting[] = [];
  for (const firstWindowMs of firstWindows) {
    const first = loadsOf(firstWindowMs);
    for (const firstCapacity of firstCapacities) {
      let firstWrong = 0;
      for (let index = 0; index < samples.length; index++) {
        firstAdmits[index] = first[index]! <= firstCapacity ? 1 : 0;
        if (firstAdmits[index] === 0 && labels[index] === 1) firstWrong++;
      }
      for (const secondWindowMs of secondWindows) {
        if (secondWindowMs < LONGER * firstWindowMs) continue;
        const { capacity, mismatches } = scoreSecond(labels, firstAdmits, firstWrong, loadsOf(secondWindowMs), firstCapacity, scratch);
        if (capacity / secondWindowMs >= SLOWER * (firstCapacity / firstWindowMs)) continue;
        settings.push({ firstWindowMs, secondWindowMs, firstCapacity, secondCapacity: capacity, mismatches });
      }
    }
  }
  return settings;
}

function hypothesisOf(setting: PairSetting): Hypothesis {
  return {
    variant: SLIDING_LOG_PAIR,
    params: { ratePerSecond: null, windowMs: setting.firstWindowMs, phaseMs: null, blockMs: null, secondWindowMs: setting.secondWindowMs, secondExtra: setting.secondCapacity - setting.firstCapacity },
    capacity: setting.firstCapacity,
    capacityHigh: setting.firstCapacity + 1,
    mismatches: setting.mismatches,
    score: setting.mismatches + SLIDING_LOG_PAIR.complexity,
    mainRange: null,
  };
}

/** The long-run rate of a pair setting, per second. */
function rateOf(setting: PairSetting): number {
  return Math.min(setting.firstCapacity / setting.firstWindowMs, setting.secondCapacity / setting.secondWindowMs) * 1000;
}

/**
 * Fits two sliding logs in AND to the calls dimension; null when the recording has too
 * few refusals to tell two limits from one. The representatives are the best setting
 * (the geometric middle of the windows that fit as well) and the settings with the
 * slowest and fastest long-run rate among those, so the plausible figures spread as far
 * as the evidence allows.
 */
export function fitSlidingLogPair(samples: readonly Sample[]): VariantFit | null {
  const labels = new Int8Array(samples.map((sample) => sample.label));
  if (labels.filter((label) => label === 0).length < 3 || samples.length < 8) return null;
  const spanMs = samples[samples.length - 1]!.atMs - samples[0]!.atMs;
  if (spanMs <= 0) return null;
  const burst = instantBurst(samples);
  const capacities = [burst - 1, burst, burst + 1].filter((capacity) => capacity >= 1);
  const coarseFirst = geometricGrid(20, Math.max(spanMs / 3, 40), 1.06);
  const coarseSecond = geometricGrid(30, Math.max(2 * spanMs, 60), 1.06);
  const coarse = search(samples, labels, coarseFirst, coarseSecond, capacities);
  if (coarse.length === 0) return null;
  const coarseBest = coarse.reduce((best, setting) => (setting.mismatches < best.mismatches ? setting : best));
  const fine = search(
    samples,
    labels,
    geometricGrid(coarseBest.firstWindowMs / 1.07, coarseBest.firstWindowMs * 1.07, 1.005),
    geometricGrid(coarseBest.secondWindowMs / 1.07, coarseBest.secondWindowMs * 1.07, 1.005),
    [coarseBest.firstCapacity],
  );
  const all = [...coarse, ...fine];
  const fewest = Math.min(...all.map((setting) => setting.mismatches));
  const equal = all.filter((setting) => setting.mismatches === fewest && setting.firstCapacity === coarseBest.firstCapacity);
  const pool = equal.length > 0 ? equal : all.filter((setting) => setting.mismatches === fewest);
  const firstWindows = pool.map((setting) => setting.firstWindowMs);
  const secondWindows = pool.map((setting) => setting.secondWindowMs);
  const middleFirst = Math.sqrt(Math.min(...firstWindows) * Math.max(...firstWindows));
  const middleSecond = Math.sqrt(Math.min(...secondWindows) * Math.max(...secondWindows));
  const [middle] = search(samples, labels, [middleFirst], [middleSecond], [pool[0]!.firstCapacity]);
  const chosen = middle !== undefined && middle.mismatches <= fewest ? middle : pool[0]!;
  const slowest = pool.reduce((found, setting) => (rateOf(setting) < rateOf(found) ? setting : found));
  const fastest = pool.reduce((found, setting) => (rateOf(setting) > rateOf(found) ? setting : found));
  const best = hypothesisOf(chosen);
  const representatives = [best];
  for (const edge of [slowest, fastest]) if (Math.abs(rateOf(edge) / rateOf(chosen) - 1) > 0.01) representatives.push(hypothesisOf(edge));
  return { best, representatives };
}
