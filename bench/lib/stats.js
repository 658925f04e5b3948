/**
 * The few statistics the bench reports: quantiles, min/median/max over trials, burst
 * spread, inter-arrival gaps and deviation from a constant-rate grid.
 *
 * Why hand-written and not hdr-histogram-js: the bench needs exact quantiles of a few
 * thousand wire timestamps (sorting them is cheap), and the same definitions as the
 * baselines' analysis scripts (linear interpolation between order statistics, as numpy).
 */

/** Quantile q in [0, 1] of a list of numbers, by linear interpolation (numpy's default). */
export function quantile(values, q) {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  if (lower === upper) return sorted[lower];
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** `{ min, median, max, n }` of a list (nulls when empty). */
export function minMedianMax(values) {
  const clean = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  if (clean.length === 0) return { min: null, median: null, max: null, n: 0 };
  return { min: Math.min(...clean), median: quantile(clean, 0.5), max: Math.max(...clean), n: clean.length };
}

/** Time from the first to the last arrival, ms. */
export function spread(times) {
  if (times.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const time of times) {
    if (time < first) first = time;
    if (time > last) last = time;
  }
  return last - first;
}

/** Differences between consecutive sorted times. */
export function gaps(sortedTimes) {
  const result = new Array(Math.max(0, sortedTimes.length - 1));
  for (let index = 1; index < sortedTimes.length; index += 1) result[index - 1] = sortedTimes[index] - sortedTimes[index - 1];
  return result;
}

/**
 * How a constant-rate run looked on the wire: achieved rate, gap p50/p99/max and the p99
 * of |deviation from the grid|.
 *
 * Why the grid deviation: gap percentiles miss cumulative drift (a slow scheduler can have
 * regular gaps that are all slightly long). Arrival k is compared with t0 + k/rate; the
 * median deviation is removed first (a constant offset is not an error), then the p99 of
 * the absolute remainder is taken — the definition in perf-baselines.md.
 */
export function steadyFigures(sortedTimesMs, ratePerSecond) {
  const count = sortedTimesMs.length;
  if (count < 2) return null;
  const durationMs = sortedTimesMs[count - 1] - sortedTimesMs[0];
  const intervals = gaps(sortedTimesMs);
  const periodMs = 1000 / ratePerSecond;
  const deviations = sortedTimesMs.map((time, index) => time - (sortedTimesMs[0] + index * periodMs));
  const medianDeviation = quantile(deviations, 0.5);
  const absolute = deviations.map((value) => Math.abs(value - medianDeviation));
  return {
    requests: count,
    achievedRate: ((count - 1) / durationMs) * 1000,
    gapP50Ms: quantile(intervals, 0.5),
    gapP99Ms: quantile(intervals, 0.99),
    gapMaxMs: Math.max(...intervals),
    shortGapShare: intervals.filter((gap) => gap < periodMs / 4).length / intervals.length,
    gridDeviationP99Ms: quantile(absolute, 0.99),
  };
}

/** Rounds for display: a fixed number of decimals, or "—" for null/undefined. */
export function fmt(value, decimals = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return Number(value).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Share of one core a sampled process used between its first and last sample (0–1). */
export function cpuShare(samples) {
  const timed = samples.filter((sample) => sample.cpuSeconds !== null);
  if (timed.length < 2) return null;
  const first = timed[0];
  const last = timed[timed.length - 1];
  return (last.cpuSeconds - first.cpuSeconds) / ((last.tMs - first.tMs) / 1000);
}
