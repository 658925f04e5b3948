/**
 * Splitting a plan between shards (src/schedule/shard.ts): the union of the shards' plans
 * is the unsplit plan, request for request, with no communication between them, and a
 * shard's k-th request is request index + k × count of the unsplit plan (its seq).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planScenario } from '../../src/schedule/plan.js';
import { shardPlan } from '../../src/schedule/shard.js';
import type { Phase } from '../../src/schedule/types.js';

/** Every request of a plan as "phase index:offset", in plan order. */
function requestsOf(plan: ReturnType<typeof planScenario>): string[] {
  return plan.phases.flatMap((planned, phaseIndex) => [...planned.offsets].map((offset) => `${phaseIndex}:${planned.startMs + offset}`));
}

const phaseArbitrary: fc.Arbitrary<Phase> = fc.oneof(
  fc.record({ kind: fc.constant('burst' as const), name: fc.constant('b'), size: fc.integer({ min: 1, max: 40 }), bursts: fc.integer({ min: 1, max: 3 }), gapMs: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({ kind: fc.constant('steady' as const), name: fc.constant('s'), ratePerSecond: fc.integer({ min: 1, max: 50 }), durationMs: fc.integer({ min: 100, max: 5000 }) }),
  fc.record({ kind: fc.constant('ramp' as const), name: fc.constant('r'), fromPerSecond: fc.integer({ min: 1, max: 20 }), toPerSecond: fc.integer({ min: 1, max: 40 }), durationMs: fc.integer({ min: 100, max: 5000 }) }),
  fc.record({ kind: fc.constant('pause' as const), name: fc.constant('p'), durationMs: fc.integer({ min: 0, max: 2000 }) }),
);

describe('shardPlan', () => {
  it('gives every planned request to exactly one shard, at its own time, numbered as in the unsplit plan', () => {
    fc.assert(
      fc.property(fc.array(phaseArbitrary, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 7 }), (phases, count) => {
        const whole = planScenario(phases);
        const expected = requestsOf(whole);
        const bySeq = new Map<number, string>();
        for (let index = 0; index < count; index++) {
          const part = shardPlan(whole, { index, count });
          expect(part.totalMs).toBe(whole.totalMs);
          expect(part.phases.map((planned) => [planned.startMs, planned.lengthMs])).toEqual(whole.phases.map((planned) => [planned.startMs, planned.lengthMs]));
          requestsOf(part).forEach((request, k) => {
            const seq = index + k * count;
            expect(bySeq.has(seq)).toBe(false);
            bySeq.set(seq, request);
          });
          expect(part.totalRequests).toBe(requestsOf(part).length);
        }
        expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual(expected.map((_, seq) => seq));
        expect(expected.map((_, seq) => bySeq.get(seq))).toEqual(expected);
      }),
    );
  });

  it('divides a burst between the shards, each share at the burst instant', () => {
    const whole = planScenario([{ kind: 'burst', name: 'b', size: 10, bursts: 1, gapMs: 0 }]);
    const shares = [0, 1, 2].map((index) => shardPlan(whole, { index, count: 3 }).phases[0]!.offsets);
    expect(shares.map((offsets) => offsets.length)).toEqual([4, 3, 3]);
    for (const offsets of shares) expect([...offsets].every((offset) => offset === 0)).toBe(true);
  });

  it('interleaves a steady rate: shard 1 of 2 takes every second arrival', () => {
    const whole = planScenario([{ kind: 'steady', name: 's', ratePerSecond: 10, durationMs: 1000 }]);
    expect([...shardPlan(whole, { index: 1, count: 2 }).phases[0]!.offsets]).toEqual([100, 300, 500, 700, 900]);
  });

  it('refuses a shard that does not exist', () => {
    const whole = planScenario([{ kind: 'burst', name: 'b', size: 3, bursts: 1, gapMs: 0 }]);
    expect(() => shardPlan(whole, { index: 3, count: 3 })).toThrow(RangeError);
  });
});
