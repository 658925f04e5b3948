/**
 * Two sliding logs in AND (Azure's 1-s cap and 10-s window; two rate zones on one
 * route): the inference's pair model and its fit, against the simulator's own
 * AllOfLimiter on made-up arrival times (no clock at all). The fit must find the first
 * log's burst exactly, its window and the slower log's rate to the second-round goal
 * (recovery ±30 %, rate ±15 %), for random settings.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AllOfLimiter, SlidingLogLimiter, tryAdmit } from '../../src/sim/index.js';
import { fitSlidingLogPair } from '../../src/analysis/inference/pair-fit.js';
import { figuresOf } from '../../src/analysis/inference/figures.js';
import { SlidingLogPairModel } from '../../src/analysis/inference/models/sliding-log-pair.js';
import type { Sample } from '../../src/analysis/inference/samples.js';

/** Sends `times` to the limiter; each becomes a sample labelled with what it answered. */
function samplesFrom(limiter: AllOfLimiter, times: readonly number[]): Sample[] {
  return times.map((atMs) => {
    const admitted = tryAdmit(limiter, atMs, 1).admitted;
    return { atMs, releaseMs: atMs + 5, weight: 1, admitted, label: admitted ? 1 : 0 };
  });
}

/**
 * What a probe does to such a pair: a burst past the first limit, pings until one is
 * admitted again, bursts one first window apart (the first log is empty each time, the
 * second fills), then a stream between the two
 * rates for three second windows.
 */
function probeLikeTimes(firstLimit: number, firstWindowMs: number, secondWindowMs: number, streamPerSecond: number): number[] {
  const times: number[] = [];
  for (let index = 0; index < firstLimit + 2; index++) times.push(0);
  // Pings across the first window's end: the first admission pins the first window.
  for (let step = 0; step <= 14; step++) times.push(Math.round(firstWindowMs * (0.5 + 0.05 * step)));
  let at = Math.round(1.3 * firstWindowMs);
  for (let burst = 0; at < secondWindowMs; burst++) {
    for (let index = 0; index < firstLimit + 2; index++) times.push(at);
    at += firstWindowMs + 10;
  }
  at += secondWindowMs;
  const end = at + 3 * secondWindowMs;
  for (; at < end; at += 1000 / streamPerSecond) times.push(Math.round(at));
  return times;
}

describe('sliding-log pair model', () => {
  it('admits only where both logs have room', () => {
    // 2 per 1 s and 3 per 4 s: extra = 1.
    const model = SlidingLogPairModel.create(1000, 4000, 1);
    const capacity = 2;
    const decisions: boolean[] = [];
    for (const atMs of [0, 0, 0, 1000, 1000, 2000, 4000, 4000]) {
      const admitted = model.loadAt(atMs) + 1 <= capacity;
      decisions.push(admitted);
      model.record(atMs, 1, admitted);
    }
    // At 1000 the first log is empty but the second holds 2 of 3; at 2000 it holds 3; at 4000 the first two left it.
    expect(decisions).toEqual([true, true, false, true, false, false, true, true]);
  });
});

describe('sliding-log pair fit', () => {
  it('finds both limits of random pairs the simulator enforces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 300, max: 2000 }),
        fc.integer({ min: 3, max: 8 }),
        fc.double({ min: 0.3, max: 0.8, noNaN: true }),
        (firstLimit, firstWindowMs, factor, share) => {
          const secondWindowMs = factor * firstWindowMs;
          const secondLimit = Math.max(firstLimit + 1, Math.round(share * factor * firstLimit));
          const firstRate = (1000 * firstLimit) / firstWindowMs;
          const secondRate = (1000 * secondLimit) / secondWindowMs;
          fc.pre(secondRate < 0.9 * firstRate);
          const limiter = new AllOfLimiter([new SlidingLogLimiter({ limit: firstLimit, windowMs: firstWindowMs }), new SlidingLogLimiter({ limit: secondLimit, windowMs: secondWindowMs })]);
          const samples = samplesFrom(limiter, probeLikeTimes(firstLimit, firstWindowMs, secondWindowMs, Math.sqrt(firstRate * secondRate)));
          const fit = fitSlidingLogPair(samples);
          expect(fit).not.toBeNull();
          const figures = figuresOf(fit!.best, true, 5);
          const context = JSON.stringify({ firstLimit, firstWindowMs, secondLimit, secondWindowMs, figures, params: fit!.best.params, mismatches: fit!.best.mismatches });
          expect(figures.burst, context).toBe(firstLimit);
          expect(Math.abs(figures.perSecond / secondRate - 1), context).toBeLessThanOrEqual(0.15);
          expect(Math.abs(figures.windowSeconds / (firstWindowMs / 1000) - 1), context).toBeLessThanOrEqual(0.3);
          expect(figures.shape).toBe('sliding-window');
        },
      ),
      { numRuns: 40, seed: 16 },
    );
  });

  it('has nothing to say about a recording with fewer than three refusals', () => {
    const limiter = new AllOfLimiter([new SlidingLogLimiter({ limit: 5, windowMs: 1000 }), new SlidingLogLimiter({ limit: 8, windowMs: 5000 })]);
    expect(fitSlidingLogPair(samplesFrom(limiter, [0, 0, 0, 0, 0, 0, 0, 2000, 2000]))).toBeNull();
  });
});
