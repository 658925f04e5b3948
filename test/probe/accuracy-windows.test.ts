/**
 * The probe's accuracy goal (docs/probe.md) on the fake clock, told nothing about the limiter:
 * burst within ±1 request or ±10 %, sustained rate within ±10 %, recovery window
 * within ±25 %, shape right, in ≤ 400 requests and ≤ 2 minutes — against the
 * simulator's own token buckets, GCRA and window limiters with seeded random
 * settings (cases.ts RANGES), random header styles, 429 or 503, with and without
 * penalties. A failing case prints its seed and trace; rerun it with
 * test/probe/support/run-case.ts.
 */
import { describe, expect, it } from 'vitest';
import { genericCase, type GENERIC_KINDS } from './support/cases.js';
import { probeCase } from './support/run-case.js';
import { traceRecording } from './support/trace.js';

const SEEDS = [11, 12, 13, 14, 15, 16, 17];

describe.each(['token-bucket', 'gcra', 'fixed-window', 'sliding-log'] as const satisfies readonly (typeof GENERIC_KINDS)[number][])('%s with random settings', (kind) => {
  it.each(SEEDS)('seed %i meets the accuracy goal', async (seed) => {
    const limiter = genericCase(kind, seed);
    const result = await probeCase(limiter);
    const context = `${limiter.name}: found ${JSON.stringify(result.inferred.requests)}\n${traceRecording(result.lines)}`;
    expect(result.problems, context).toEqual([]);
    expect(result.sent, context).toBeLessThanOrEqual(400);
    expect(result.seconds, context).toBeLessThanOrEqual(121);
  });
});
