/**
 * Latency of the answers in one timeline slice: p50 and max, mergeable, tiny.
 *
 * Why not one HDR histogram per slice: a run has up to ~1,200 stored buckets, and an
 * HDR histogram at useful precision costs kilobytes each. A slice keeps its first
 * 32 values exactly (small runs get exact figures); beyond that it counts values in
 * logarithmic bins 2 % wide, so its p50 is within 1 % — plenty for a chart.
 */

const EXACT_LIMIT = 32;
const BIN_RATIO = 1.02;
const LOG_RATIO = Math.log(BIN_RATIO);
/** Smallest binned latency, ms; anything faster shares the first bin. */
const FLOOR_MS = 0.01;
/** 0.01 ms × 1.02^1400 ≈ 10 days: every latency fits. */
const BIN_COUNT = 1400;

function binOf(ms: number): number {
  if (ms <= FLOOR_MS) return 0;
  return Math.min(BIN_COUNT - 1, Math.floor(Math.log(ms / FLOOR_MS) / LOG_RATIO));
}

/** The geometric middle of a bin, ms. */
function valueOfBin(bin: number): number {
  return FLOOR_MS * Math.pow(BIN_RATIO, bin + 0.5);
}

/** Latencies of one slice. */
export class SliceLatency {
  count = 0;
  max = Number.NEGATIVE_INFINITY;
  private exact: number[] | null = [];
  private bins: Map<number, number> | null = null;

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.count++;
    if (ms > this.max) this.max = ms;
    if (this.exact !== null) {
      this.exact.push(ms);
      if (this.exact.length > EXACT_LIMIT) this.toBins();
    } else {
      this.addToBins(ms, 1);
    }
  }

  private addToBins(ms: number, count: number): void {
    const bin = binOf(ms);
    this.bins!.set(bin, (this.bins!.get(bin) ?? 0) + count);
  }

  private toBins(): void {
    this.bins = new Map();
    for (const value of this.exact!) this.addToBins(value, 1);
    this.exact = null;
  }

  /** Adds another slice's latencies into this one. */
  merge(other: SliceLatency): void {
    if (other.count === 0) return;
    if (other.max > this.max) this.max = other.max;
    this.count += other.count;
    if (this.exact !== null && other.exact !== null && this.exact.length + other.exact.length <= EXACT_LIMIT) {
      this.exact.push(...other.exact);
      return;
    }
    if (this.exact !== null) this.toBins();
    if (other.exact !== null) {
      for (const value of other.exact) this.addToBins(value, 1);
    } else {
      for (const [bin, count] of other.bins!) this.bins!.set(bin, (this.bins!.get(bin) ?? 0) + count);
    }
  }

  /** The median (nearest rank), ms; null when empty. */
  p50(): number | null {
    if (this.count === 0) return null;
    const rank = Math.ceil(this.count / 2);
    if (this.exact !== null) return [...this.exact].sort((a, b) => a - b)[rank - 1]!;
    let seen = 0;
    for (const bin of [...this.bins!.keys()].sort((a, b) => a - b)) {
      seen += this.bins!.get(bin)!;
      if (seen >= rank) return Math.min(this.max, valueOfBin(bin));
    }
    return this.max;
  }

  /** The largest latency, ms; null when empty. */
  maxOrNull(): number | null {
    return this.count === 0 ? null : this.max;
  }
}
