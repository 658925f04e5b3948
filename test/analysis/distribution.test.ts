import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Distribution } from '../../src/analysis/distribution.js';

/** Nearest-rank percentile, brute force. */
function bruteForce(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

/** A deterministic pseudo-random latency set: mostly 200–400 ms, a slow tail to ~5 s. */
function latencies(count: number, seed: number): number[] {
  let state = seed;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: count }, () => {
    const base = 200 + next() * 200;
    return Math.round((next() < 0.02 ? base * (1 + next() * 12) : base) * 1000) / 1000;
  });
}

describe('Distribution', () => {
  it('is exact while there are few distinct values', () => {
    const values = latencies(3000, 7);
    const distribution = new Distribution({ resolution: 0.001, exactLimit: 4096 });
    values.forEach((value) => distribution.add(value));
    for (const p of [1, 50, 90, 95, 99, 99.9, 100]) expect(distribution.percentile(p)).toBeCloseTo(bruteForce(values, p), 9);
    expect(distribution.min()).toBe(Math.min(...values));
    expect(distribution.max()).toBe(Math.max(...values));
    expect(distribution.count).toBe(3000);
  });

  it('stays within HDR precision (0.1 %) once it switches to the histogram', () => {
    const values = latencies(5000, 11);
    const distribution = new Distribution({ resolution: 0.001, exactLimit: 100 });
    values.forEach((value) => distribution.add(value));
    for (const p of [50, 95, 99]) {
      const expected = bruteForce(values, p);
      expect(Math.abs(distribution.percentile(p)! - expected) / expected).toBeLessThanOrEqual(0.001);
    }
    expect(distribution.max()).toBe(Math.max(...values));
  });

  it('ignores what is not a duration and is empty-safe', () => {
    const distribution = new Distribution({ resolution: 1 });
    expect(distribution.percentile(50)).toBeNull();
    expect(distribution.min()).toBeNull();
    distribution.add(Number.NaN);
    distribution.add(-5);
    distribution.add(Number.POSITIVE_INFINITY);
    expect(distribution.count).toBe(0);
  });

  it('percentiles never leave [min, max] and never decrease with p', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (values, exactLimit) => {
        const distribution = new Distribution({ resolution: 0.001, exactLimit });
        values.forEach((value) => distribution.add(value));
        const p50 = distribution.percentile(50)!;
        const p99 = distribution.percentile(99)!;
        return p50 >= distribution.min()! && p99 <= distribution.max()! && p50 <= p99;
      }),
    );
  });
});
