/**
 * The capacity that best explains a replay: given, for every scored request, the
 * load it would have brought the limiter to (load + its own weight) and what
 * really happened, find the capacity C that minimises the number of requests the
 * rule "admit when value ≤ C" gets wrong.
 *
 * Two native sorts and one merge: below every value everything is predicted
 * refused (all admitted requests are wrong); moving C past a value flips that
 * request's prediction to admitted, which fixes it if it was admitted and breaks
 * it if it was refused. The lowest capacity with the fewest errors wins, so the
 * capacity is never more than the evidence shows. (Typed-array sorts, not an index
 * sort with a comparator: this runs thousands of times per fit.)
 */

/** The best capacity for one replay. */
export interface ThresholdFit {
  /** Requests the best capacity gets wrong. */
  mismatches: number;
  /** The largest value predicted admitted at the best capacity (−∞ when none). */
  low: number;
  /** The smallest value above it (+∞ when none): any capacity in [low, high) fits as well. */
  high: number;
}

/** Values closer than this are the same value (float noise in refill arithmetic). */
const SAME_VALUE = 1e-7;

/** Finds the capacity that best separates admitted (label 1) from refused (label 0); label -1 is ignored. */
export function fitThreshold(values: ArrayLike<number>, labels: ArrayLike<number>): ThresholdFit {
  let admittedCount = 0;
  let refusedCount = 0;
  for (let index = 0; index < values.length; index++) {
    if (labels[index] === 1) admittedCount++;
    else if (labels[index] === 0) refusedCount++;
  }
  const admitted = new Float64Array(admittedCount);
  const refused = new Float64Array(refusedCount);
  let a = 0;
  let r = 0;
  for (let index = 0; index < values.length; index++) {
    if (labels[index] === 1) admitted[a++] = values[index]!;
    else if (labels[index] === 0) refused[r++] = values[index]!;
  }
  admitted.sort();
  refused.sort();

  let mismatches = admittedCount;
  let best = mismatches;
  let bestLow = Number.NEGATIVE_INFINITY;
  let i = 0;
  let j = 0;
  let bestPosition = { i: 0, j: 0 };
  while (i < admittedCount || j < refusedCount) {
    const next = Math.min(i < admittedCount ? admitted[i]! : Number.POSITIVE_INFINITY, j < refusedCount ? refused[j]! : Number.POSITIVE_INFINITY);
    while (i < admittedCount && admitted[i]! - next <= SAME_VALUE) {
      mismatches--;
      i++;
    }
    while (j < refusedCount && refused[j]! - next <= SAME_VALUE) {
      mismatches++;
      j++;
    }
    if (mismatches < best) {
      best = mismatches;
      bestLow = next;
      bestPosition = { i, j };
    }
  }
  const high = Math.min(
    bestPosition.i < admittedCount ? admitted[bestPosition.i]! : Number.POSITIVE_INFINITY,
    bestPosition.j < refusedCount ? refused[bestPosition.j]! : Number.POSITIVE_INFINITY,
  );
  return { mismatches: best, low: bestLow, high: bestLow === Number.NEGATIVE_INFINITY && admittedCount + refusedCount === 0 ? Number.POSITIVE_INFINITY : high };
}

/** Counts the requests a fixed capacity gets wrong. */
export function mismatchesAt(values: ArrayLike<number>, labels: ArrayLike<number>, capacity: number): number {
  let wrong = 0;
  for (let index = 0; index < values.length; index++) {
    const label = labels[index];
    if (label === -1) continue;
    const predicted = values[index]! <= capacity + SAME_VALUE ? 1 : 0;
    if (predicted !== label) wrong++;
  }
  return wrong;
}
