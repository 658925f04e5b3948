/**
 * Percentiles of a stream of values in flat memory.
 *
 * Why two modes: small runs (a burst of 20) deserve exact figures a person can
 * check by hand ("retry-after p50 1000 ms", not 1000.4), while a million-request
 * run must not keep a million numbers. So values are counted exactly per distinct
 * value (to `resolution`) until there are more than `exactLimit` distinct ones;
 * then everything moves into an HDR histogram (hdr-histogram-js, 3 significant
 * digits: within 0.1 % of the true value). Both modes use the nearest-rank
 * definition: the smallest recorded value with at least p % of the values at or
 * below it.
 */
import { build, type Histogram } from 'hdr-histogram-js';

export interface DistributionOptions {
  /** Values are kept to this step (0.001 → thousandths). */
  resolution: number;
  /** Distinct values counted exactly before switching to the histogram. */
  exactLimit?: number;
}

/** A streaming distribution with exact min, max and count. */
export class Distribution {
  private readonly scale: number;
  private readonly exactLimit: number;
  private exact: Map<number, number> | null = new Map();
  private histogram: Histogram | null = null;
  private minimum = Number.POSITIVE_INFINITY;
  private maximum = Number.NEGATIVE_INFINITY;
  private total = 0;

  constructor(options: DistributionOptions) {
    this.scale = 1 / options.resolution;
    this.exactLimit = options.exactLimit ?? 4096;
  }

  /** Number of values added. */
  get count(): number {
    return this.total;
  }

  /**
   * Adds one value (`count` times, for a value that stands for several, e.g. a sampled
   * gap); non-finite and negative values are ignored (they are not durations).
   */
  add(value: number, count = 1): void {
    if (!Number.isFinite(value) || value < 0 || !(count >= 1)) return;
    const units = Math.round(value * this.scale);
    this.total += count;
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
    if (this.exact !== null) {
      this.exact.set(units, (this.exact.get(units) ?? 0) + count);
      if (this.exact.size > this.exactLimit) this.moveToHistogram();
      return;
    }
    this.histogram!.recordValueWithCount(units, count);
  }

  private moveToHistogram(): void {
    const histogram = build({ numberOfSignificantValueDigits: 3, bitBucketSize: 32, autoResize: true });
    for (const [units, count] of this.exact!) histogram.recordValueWithCount(units, count);
    this.histogram = histogram;
    this.exact = null;
  }

  /** The smallest value added, or null when none. */
  min(): number | null {
    return this.total === 0 ? null : this.minimum;
  }

  /** The largest value added, or null when none. */
  max(): number | null {
    return this.total === 0 ? null : this.maximum;
  }

  /** The nearest-rank percentile (0 < p ≤ 100), never outside [min, max]; null when empty. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    let value: number;
    if (this.exact !== null) {
      const rank = Math.max(1, Math.ceil((p / 100) * this.total));
      const keys = [...this.exact.keys()].sort((a, b) => a - b);
      let seen = 0;
      value = keys[keys.length - 1]!;
      for (const key of keys) {
        seen += this.exact.get(key)!;
        if (seen >= rank) {
          value = key;
          break;
        }
      }
    } else {
      value = this.histogram!.getValueAtPercentile(p);
    }
    return Math.min(this.maximum, Math.max(this.minimum, value / this.scale));
  }
}
