import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { phaseLengthMs, phaseRequestCount, planPhase, planScenario } from '../../src/schedule/plan.js';
import { arrivalCount, expectedArrivals } from '../../src/schedule/rate-curve.js';
import { describePhase } from '../../src/schedule/describe.js';
import type { BurstPhase, PausePhase, RampPhase, SteadyPhase } from '../../src/schedule/types.js';

const burst = (size: number, bursts = 1, gapMs = 0): BurstPhase => ({ kind: 'burst', name: 'b', size, bursts, gapMs });
const steady = (ratePerSecond: number, durationMs: number): SteadyPhase => ({ kind: 'steady', name: 's', ratePerSecond, durationMs });
const ramp = (fromPerSecond: number, toPerSecond: number, durationMs: number): RampPhase => ({
  kind: 'ramp',
  name: 'r',
  fromPerSecond,
  toPerSecond,
  durationMs,
});
const pause = (durationMs: number): PausePhase => ({ kind: 'pause', name: 'p', durationMs });

/** Offsets compared to 1e-9 ms: floating point may differ in the last bit from the hand-written value. */
function expectOffsets(actual: Float64Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, index) => expect(actual[index]).toBeCloseTo(value, 9));
}

describe('burst', () => {
  it('puts `size` requests at 0 for a single burst, length 0', () => {
    expectOffsets(planPhase(burst(4)), [0, 0, 0, 0]);
    expect(phaseLengthMs(burst(4))).toBe(0);
  });

  it('repeats the burst `bursts` times `gapMs` apart and ends at the last instant', () => {
    expectOffsets(planPhase(burst(3, 3, 1000)), [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000]);
    expect(phaseLengthMs(burst(3, 3, 1000))).toBe(2000);
    expect(phaseRequestCount(burst(3, 3, 1000))).toBe(9);
  });
});

describe('steady', () => {
  it('plans floor(rate × duration) requests, i × 1000 / rate apart, first at 0', () => {
    expectOffsets(planPhase(steady(5, 1000)), [0, 200, 400, 600, 800]);
    expectOffsets(planPhase(steady(4, 1000)), [0, 250, 500, 750]);
  });

  it('rounds a fractional count down: 3/s for 1.5 s is 4 requests, not 5', () => {
    expectOffsets(planPhase(steady(3, 1500)), [0, 1000 / 3, 2000 / 3, 1000]);
  });

  it('treats an area within rounding of a whole number as that number', () => {
    // 0.1 × 30 is 3.0000000000000004 in floating point; 0.7 × 10 is 7.000000000000001.
    expectOffsets(planPhase(steady(0.1, 30_000)), [0, 10_000, 20_000]);
    expect(phaseRequestCount(steady(0.7, 10_000))).toBe(7);
    expect(phaseRequestCount(steady(1 / 3, 9_000))).toBe(3);
  });

  it('plans nothing for a zero rate or a zero duration', () => {
    expect(planPhase(steady(0, 10_000)).length).toBe(0);
    expect(planPhase(steady(10, 0)).length).toBe(0);
  });

  it('plans a million requests in one typed array', () => {
    const offsets = planPhase(steady(1000, 1_000_000));
    expect(offsets).toBeInstanceOf(Float64Array);
    expect(offsets.length).toBe(1_000_000);
    expect(offsets[999_999]).toBeCloseTo(999_999, 6);
  });
});

describe('ramp', () => {
  // Expected values solve a·t + s·t²/2 = k with the textbook root of the quadratic,
  // written independently of the implementation's rationalised form.
  it('rises from 1/s to 3/s over 2 s: 4 requests at -1000 + √(1e6 + 2e6·k)', () => {
    expectOffsets(
      planPhase(ramp(1, 3, 2000)),
      [0, 1, 2, 3].map((k) => -1000 + Math.sqrt(1e6 + 2e6 * k)),
    );
  });

  it('rises from 0/s: request k at √(2k / s), the first at 0', () => {
    // s = 2 / 1000 / 2000 per ms²: t = √(2e6·k).
    expectOffsets(planPhase(ramp(0, 2, 2000)), [0, Math.sqrt(2e6)]);
    expectOffsets(planPhase(ramp(0, 10, 1000)), [0, 1, 2, 3, 4].map((k) => Math.sqrt(2e5 * k)));
  });

  it('falls from 3/s to 1/s over 2 s: request k at 3000 - √(9e6 - 2e6·k)', () => {
    expectOffsets(
      planPhase(ramp(3, 1, 2000)),
      [0, 1, 2, 3].map((k) => 3000 - Math.sqrt(9e6 - 2e6 * k)),
    );
  });

  it('falls to 0/s: the square root stays real up to the end', () => {
    expectOffsets(planPhase(ramp(2, 0, 2000)), [0, 2000 - Math.sqrt(2e6)]);
    const offsets = planPhase(ramp(100, 0, 10_000));
    expect(offsets.length).toBe(500);
    expect(Number.isFinite(offsets[499])).toBe(true);
    expect(offsets[499]).toBeLessThan(10_000);
  });

  it('is the same as steady when from = to (one code path)', () => {
    expect(Array.from(planPhase(ramp(7, 7, 3000)))).toEqual(Array.from(planPhase(steady(7, 3000))));
  });

  it('counts floor of the area (from + to) / 2 × duration', () => {
    expect(phaseRequestCount(ramp(1, 20, 20_000))).toBe(210);
    expect(phaseRequestCount(ramp(20, 1, 20_000))).toBe(210);
    expect(phaseRequestCount(ramp(0, 0, 20_000))).toBe(0);
    expect(phaseRequestCount(ramp(0, 1, 3000))).toBe(1);
  });
});

describe('pause', () => {
  it('plans nothing and only has a length', () => {
    expect(planPhase(pause(5000)).length).toBe(0);
    expect(phaseLengthMs(pause(5000))).toBe(5000);
  });
});

describe('planScenario', () => {
  it('places phases one after the other', () => {
    const plan = planScenario([burst(2), pause(500), steady(2, 1000), burst(1, 2, 300)]);
    expect(plan.phases.map((phase) => phase.startMs)).toEqual([0, 0, 500, 1500]);
    expect(plan.phases.map((phase) => phase.lengthMs)).toEqual([0, 500, 1000, 300]);
    expect(plan.totalMs).toBe(1800);
    expect(plan.totalRequests).toBe(6);
    expectOffsets(plan.phases[2]!.offsets, [0, 500]);
  });

  it('plans an empty scenario as nothing', () => {
    expect(planScenario([])).toEqual({ phases: [], totalMs: 0, totalRequests: 0 });
  });
});

describe('describePhase', () => {
  it('lists the shape, the count, the length and the payload overrides', () => {
    expect(describePhase({ ...ramp(1, 20, 20_000), payload: { maxTokens: 4000 } })).toEqual({
      fromPerSecond: 1,
      toPerSecond: 20,
      durationMs: 20_000,
      requests: 210,
      lengthMs: 20_000,
      maxTokens: 4000,
    });
    expect(describePhase(burst(20, 2, 1000))).toEqual({ size: 20, bursts: 2, gapMs: 1000, requests: 40, lengthMs: 1000 });
  });
});

describe('properties of steady and ramp offsets', () => {
  const rate = fc.double({ min: 0, max: 500, noNaN: true });
  const duration = fc.integer({ min: 1, max: 60_000 });

  it('are non-decreasing, start at 0 and stay inside the phase', () => {
    fc.assert(
      fc.property(rate, rate, duration, (from, to, durationMs) => {
        const offsets = planPhase(ramp(from, to, durationMs));
        let firstBad = -1;
        for (let index = 0; index < offsets.length && firstBad < 0; index++) {
          const previous = index === 0 ? 0 : offsets[index - 1]!;
          if (!(offsets[index]! >= previous && offsets[index]! < durationMs)) firstBad = index;
        }
        expect(firstBad).toBe(-1);
        if (offsets.length > 0) expect(offsets[0]).toBe(0);
      }),
    );
  });

  it('put within one of the integral of the rate before any time t', () => {
    fc.assert(
      fc.property(rate, rate, duration, fc.double({ min: 0, max: 1, noNaN: true }), (from, to, durationMs, fraction) => {
        const curve = { fromPerSecond: from, toPerSecond: to, durationMs };
        const offsets = planPhase(ramp(from, to, durationMs));
        const atMs = fraction * durationMs;
        let before = 0;
        while (before < offsets.length && offsets[before]! < atMs) before++;
        expect(Math.abs(before - expectedArrivals(curve, atMs))).toBeLessThanOrEqual(1 + 1e-6);
      }),
    );
  });

  it('count the whole area, never more', () => {
    fc.assert(
      fc.property(rate, rate, duration, (from, to, durationMs) => {
        const area = expectedArrivals({ fromPerSecond: from, toPerSecond: to, durationMs }, durationMs);
        const count = arrivalCount({ fromPerSecond: from, toPerSecond: to, durationMs });
        expect(count).toBeLessThanOrEqual(area + 1e-6);
        expect(count).toBeGreaterThan(area - 1 - 1e-6);
      }),
    );
  });
});
