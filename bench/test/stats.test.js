// Self-tests of the bench's statistics: `node --test bench/test/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmt, gaps, minMedianMax, quantile, spread, steadyFigures } from '../lib/stats.js';

test('quantile interpolates between order statistics like numpy', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([4, 1, 3, 2], 0), 1);
  assert.equal(quantile([4, 1, 3, 2], 1), 4);
  assert.ok(Math.abs(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99) - 9.91) < 1e-9);
  assert.equal(quantile([], 0.5), null);
});

test('minMedianMax ignores nulls', () => {
  assert.deepEqual(minMedianMax([3, null, 1, 2]), { min: 1, median: 2, max: 3, n: 3 });
  assert.deepEqual(minMedianMax([]), { min: null, median: null, max: null, n: 0 });
});

test('spread and gaps', () => {
  assert.equal(spread([5, 1, 3]), 4);
  assert.deepEqual(gaps([1, 3, 6]), [2, 3]);
});

test('a perfect 1000/s grid has 1 ms gaps, no deviation, exact rate', () => {
  const times = Array.from({ length: 5000 }, (_, index) => 1000 + index);
  const figures = steadyFigures(times, 1000);
  assert.equal(figures.requests, 5000);
  assert.ok(Math.abs(figures.achievedRate - 1000) < 1e-9);
  assert.equal(figures.gapP99Ms, 1);
  assert.equal(figures.shortGapShare, 0);
  assert.ok(figures.gridDeviationP99Ms < 1e-9);
});

test('clumps in pairs show as short gaps, and a constant offset is not a deviation', () => {
  // Pairs: 0,0,2,2,4,4… (ms) — rate right on average, every other gap zero.
  const times = Array.from({ length: 1000 }, (_, index) => 7 + 2 * Math.floor(index / 2));
  const figures = steadyFigures(times, 1000);
  assert.ok(Math.abs(figures.shortGapShare - 0.5) < 0.01);
  assert.ok(figures.gridDeviationP99Ms <= 1.0001);
});

test('drift shows in the grid deviation even when gaps look regular', () => {
  // Every gap 1.01 ms at a planned 1000/s: 1 % slow, 10 ms behind after 1000 requests.
  const times = Array.from({ length: 1001 }, (_, index) => index * 1.01);
  const figures = steadyFigures(times, 1000);
  assert.ok(figures.achievedRate < 991);
  assert.ok(figures.gridDeviationP99Ms > 4.5);
});

test('fmt prints a dash for missing values', () => {
  assert.equal(fmt(null), '—');
  assert.equal(fmt(1234.567, 1), '1,234.6');
});
