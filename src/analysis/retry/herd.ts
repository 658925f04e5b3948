/**
 * The herd peak: the most retries sent within any window of `widthMs` (100 ms in the
 * summary). Retries that a limit refused in one instant and that all wait the same hint
 * come back in one such window; jitter spreads them over many.
 */

/** The width of the herd window, ms. */
export const HERD_WINDOW_MS = 100;

/** Most values of `times` (any order) within any half-open window [t, t + widthMs). */
export function herdPeak(times: readonly number[], widthMs = HERD_WINDOW_MS): number {
  const sorted = Float64Array.from(times).sort();
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= widthMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
